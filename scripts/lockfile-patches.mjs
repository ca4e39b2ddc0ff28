#!/usr/bin/env node
// Keeps pnpm-lock.yaml's patched dependencies in the form every supported pnpm reads under
// --frozen-lockfile (scripts/lib/lockfile-patches.mjs says why). Runs as the root postinstall, so a
// `pnpm install` by pnpm 11/12 that rewrote them is put back at once. node:util's parseArgs, not
// @wxyc/job-runtime's readArgs: this runs during install, before anything is built.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { longFormPatches } from './lib/lockfile-patches.mjs';

const USAGE = 'usage: node scripts/lockfile-patches.mjs [--check] [--root DIR]';
const HELP = `${USAGE}

Rewrites pnpm-lock.yaml's patchedDependencies from pnpm 11/12's short form (name: hash) to the
long form (hash, path) that pnpm 10, the images' pin, also accepts with --frozen-lockfile.
Runs by itself after every pnpm install (the root postinstall).

options:
  --check       change nothing; exit 1 naming the entries in the short form
  --root DIR    the workspace root (default: the current folder)
  -h, --help    print this help and exit

Exit codes: 0 the lockfile is (now) in the long form, 1 --check found short entries,
2 bad arguments or a lockfile that patches what pnpm-workspace.yaml does not name.
`;

/** @param {string} msg @param {number} code @returns {never} */
function fail(msg, code) {
  process.stderr.write(`[lockfile-patches] error: ${msg}\n`);
  process.exit(code);
}

/** @type {{ check?: boolean, root?: string, help?: boolean }} */
let values = {};
try {
  ({ values } = parseArgs({
    options: { check: { type: 'boolean' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (err) {
  const arg = /'([^']*)'/.exec(String(/** @type {Error} */ (err).message))?.[1] ?? '';
  fail(`unknown argument ${JSON.stringify(arg)}; ${USAGE} (--help for details)`, 2);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const root = values.root ?? process.cwd();
const lockPath = join(root, 'pnpm-lock.yaml');
let lock;
try {
  lock = readFileSync(lockPath, 'utf8');
} catch {
  process.exit(0); // nothing to keep: `pnpm install --no-lockfile`, or a deployed package
}
/** @type {{ patchedDependencies?: Record<string, string> }} */
let workspace = {};
try {
  workspace = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) ?? {};
} catch (err) {
  fail(`${join(root, 'pnpm-workspace.yaml')}: ${err instanceof Error ? err.message.split('\n')[0] : err}`, 2);
}
let result;
try {
  result = longFormPatches(lock, workspace.patchedDependencies ?? {});
} catch (err) {
  fail(err instanceof Error ? err.message : String(err), 2);
}
if (result.rewritten.length === 0) process.exit(0);
if (values.check) {
  fail(
    `${lockPath}: ${result.rewritten.join(', ')} in the short form pnpm 10 refuses: run node scripts/lockfile-patches.mjs`,
    1,
  );
}
writeFileSync(lockPath, result.text);
console.log(`[lockfile-patches] ${result.rewritten.join(', ')}: long form, for pnpm 10 (the images' pin)`);
