/**
 * Where the project's compiled pieces live. Worker threads must start compiled JavaScript
 * (tsx cannot start a .ts worker on Node 20), so both the sources run by tsx and the bundles in
 * dist/ find the workers through the project root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding the project's package.json. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pitr-studio') {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the pitr-studio project root');
    dir = up;
  }
}

/** The compiled worker script `dist/<name>.js`, with a clear error when it was not built. */
export function workerScript(name: string): string {
  const p = join(projectRoot(), 'dist', `${name}.js`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` in ${projectRoot()} first`);
  return p;
}
