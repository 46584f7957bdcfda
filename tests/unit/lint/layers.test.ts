// The layer direction of DESIGN.md §1 is enforced by eslint.config.js; these cases prove that the
// rule fires where a layer reaches the wrong way and stays quiet where the import is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The `no-restricted-imports` messages ESLint reports for `code` as if it lived at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${filePath} did not parse`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2)
    .map((m) => m.message);
}

const forbidden: Array<[filePath: string, code: string]> = [
  ['core/x.ts', "import { BrowserWindow } from 'electron';\nexport const w = BrowserWindow;\n"],
  ['core/x.ts', "import '../renderer/app.tsx';\n"],
  ['core/cluster/pd.ts', "import { main } from '../../electron/main.ts';\nexport const m = main;\n"],
  ['core/x.ts', "import { useState } from 'react';\nexport const s = useState;\n"],
  ['renderer/x.tsx', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ['renderer/x.tsx', "import { join } from 'path';\nexport const j = join;\n"],
  ['renderer/x.tsx', "import Database from 'better-sqlite3';\nexport const d = Database;\n"],
  ['renderer/views/x.tsx', "import { Pd } from '../../core/cluster/pd.ts';\nexport const p = Pd;\n"],
  ['core/contract/api.ts', "import type { Stats } from 'node:fs';\nexport type S = Stats;\n"],
  ['core/contract/api.ts', "import type { Pd } from '../cluster/pd.ts';\nexport type P = Pd;\n"],
  ['core/contract/http/api.ts', "import type { Pd } from '../../cluster/pd.ts';\nexport type P = Pd;\n"],
  ['electron/main.ts', "import { App } from '../renderer/app.tsx';\nexport const a = App;\n"],
  ['electron/main.ts', "import { createElement } from 'react';\nexport const c = createElement;\n"],
];

const allowed: Array<[filePath: string, code: string]> = [
  ['renderer/x.tsx', "import type { ClusterApi } from '../core/contract/api.ts';\nexport type Api = ClusterApi;\n"],
  ['renderer/views/x.tsx', "import type { ErrorObject } from '../../core/errors.ts';\nexport type E = ErrorObject;\n"],
  ['core/contract/api.ts', "import type { ErrorObject } from '../errors.ts';\nexport type E = ErrorObject;\n"],
  ['core/contract/http/api.ts', "import type { Api } from '../api.ts';\nexport type A = Api;\n"],
  ['core/cluster/pd.ts', "import { readFileSync } from 'node:fs';\nimport type { Api } from '../contract/api.ts';\nexport const r = readFileSync;\nexport type A = Api;\n"],
  ['electron/main.ts', "import { BrowserWindow } from 'electron';\nimport { PitrError } from '../core/errors.ts';\nexport const w = [BrowserWindow, PitrError];\n"],
];

for (const [filePath, code] of forbidden) {
  test(`layers: ${filePath} may not: ${code.split('\n')[0]}`, async () => {
    const errors = await layerErrors(filePath, code);
    assert.equal(errors.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(errors)}`);
  });
}

for (const [filePath, code] of allowed) {
  test(`layers: ${filePath} may: ${code.split('\n')[0]}`, async () => {
    const [result] = await eslint.lintText(code, { filePath });
    assert.ok(result);
    assert.deepEqual(result.messages, [], `expected no messages at all for ${filePath}`);
  });
}
