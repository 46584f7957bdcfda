import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { projectRoot } from '../../../core/paths.ts';

const root = projectRoot();

/** electron-builder's own schema of its configuration (draft-07), compiled once. */
function schemaValidator(): ValidateFunction {
  const libDir = dirname(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
  const schema = JSON.parse(readFileSync(join(libDir, 'scheme.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  // strict: false because the schema carries annotations Ajv does not know (it still validates).
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

const validate = schemaValidator();
const configText = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
const config = () => load(configText) as Record<string, unknown> & { files: string[] };

function errors(errs: ErrorObject[] | null | undefined): string {
  return (errs ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

test("electron-builder.yml is valid against electron-builder's schema", () => {
  const ok = validate(config());
  assert.equal(ok, true, errors(validate.errors));
});

test('an invalid config fails the same check (typo of a key, wrong types, unknown target option)', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['misspelt top-level key', { ...config(), file: ['dist/**'] }],
    ['asar as a string', { ...config(), asar: 'no' }],
    ['linux target as a number', { ...config(), linux: { target: 42 } }],
    ['unknown nsis option', { ...config(), nsis: { oneClik: false } }],
  ];
  for (const [name, bad] of cases) {
    assert.equal(validate(bad), false, `${name} should be refused`);
    assert.ok((validate.errors ?? []).length > 0, name);
  }
});

test('the package has every target the app ships and the files the app needs at run time', () => {
  const c = config() as Record<string, unknown> & {
    files: string[];
    linux: { target: string[] };
    mac: { target: string };
    win: { target: string };
  };
  assert.deepEqual(c.linux.target, ['AppImage', 'deb']);
  assert.equal(c.mac.target, 'dmg');
  assert.equal(c.win.target, 'nsis');
  for (const needed of ['package.json', 'dist/**', 'renderer-dist/**', 'assets/**']) assert.ok(c.files.includes(needed), needed);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  // The main bundle, the preload and the store worker are what the packaged app starts.
  assert.equal(pkg.main, 'dist/electron-main.js');
  // electron-builder refuses electron in `dependencies`, and packs `optionalDependencies` (where
  // electron is, so that installs without its download succeed) unless `files` excludes it.
  assert.equal(pkg.dependencies.electron, undefined);
  if (pkg.optionalDependencies?.electron !== undefined) assert.ok(c.files.includes('!node_modules/electron/**'));
});
