// Bundles the entry points that must run as compiled JavaScript: worker threads (tsx cannot
// start a .ts worker on Node 20) and the `pitr` CLI (so that it starts fast).
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });

const entries = {
  'store-worker': 'core/cluster/store/worker.ts',
  cli: 'core/cli/main.ts',
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
