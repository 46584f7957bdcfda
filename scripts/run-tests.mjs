// Runs the test suites with Node's built-in runner in one child process:
//   node scripts/run-tests.mjs [unit|integration|e2e ...] [--node-test-flag ...]
// Node 20's `--test` does not expand globs, so the files are listed here.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testsDir = join(root, 'tests');
const SUITES = ['unit', 'integration', 'e2e'];
const TEST_FILE = /\.test\.tsx?$/;
// Test data, not tests.
const SKIPPED_DIRS = new Set(['fixtures', 'node_modules']);

const args = process.argv.slice(2);
const suites = [];
while (args.length > 0 && !args[0].startsWith('-')) {
  const suite = args.shift();
  if (!SUITES.includes(suite)) {
    process.stderr.write(`run-tests: unknown suite "${suite}"; expected one of: ${SUITES.join(', ')}\n`);
    process.exit(2);
  }
  suites.push(suite);
}
// Whatever follows the suites (e.g. --test-name-pattern=tso) goes to `node --test` as is.
const nodeFlags = args;

/** Every test file under `dir`, recursively. */
function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...findTests(path));
    } else if (entry.isFile() && TEST_FILE.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

const dirs = suites.length > 0 ? suites.map((suite) => join(testsDir, suite)) : [testsDir];
const files = [...new Set(dirs.flatMap(findTests))]
  .map((file) => relative(root, file))
  .sort();

if (files.length === 0) {
  const where = dirs.map((dir) => relative(root, dir)).join(', ');
  process.stdout.write(`run-tests: no test files under ${where}\n`);
  process.exit(0);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeFlags, ...files],
  { cwd: root, stdio: 'inherit' },
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}

child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
});
