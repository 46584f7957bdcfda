// Bundles the entry points that must run as compiled JavaScript: worker threads (tsx cannot
// start a .ts worker on Node 20) and the `pitr` CLI (so that it starts fast).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });

const entries = {
  'store-worker': 'core/cluster/store/worker.ts',
  cli: 'core/cli/main.ts',
  // Electron's main process (package.json "main"); `electron` stays external with the packages.
  'electron-main': 'electron/main/index.ts',
};

await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Dependencies load from node_modules at run time (native addons cannot be bundled).
  packages: 'external',
  // ESM bundles have no require(); give CommonJS dependencies one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

// The Electron preload: CommonJS, because a sandboxed preload cannot be an ES module, and
// self-contained, because it may require only `electron` (and a few built-ins).
await build({
  absWorkingDir: root,
  entryPoints: ['electron/preload/index.ts'],
  outfile: 'dist/electron-preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome130',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The renderer (Vite → renderer-dist/), served by the host in web mode and loaded by Electron.
// Skipped when renderer-dist is newer than every input, so `npm test` stays fast.
const rendererInputs = ['renderer', 'core/contract', 'core/errors.ts', 'vite.config.ts'];
/** The newest modification time under the given paths. */
function newestMtime(paths) {
  let newest = 0;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) continue;
    const st = statSync(full);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(full).map((n) => join(p, n))));
    else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}
const rendererIndex = join(root, 'renderer-dist', 'index.html');
if (!existsSync(rendererIndex) || statSync(rendererIndex).mtimeMs < newestMtime(rendererInputs)) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
