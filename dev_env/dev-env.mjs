#!/usr/bin/env node
// pnpm dev:env: the local stack's URLs as shell exports, for tools run by hand (psql, a job's
// dist/job.js, ops:status elsewhere): eval "$(pnpm -s dev:env)".
import { DEFAULT_LEGACY_URL, STACK_ENV, loadDevEnv, readScriptArgs } from './local-stack.mjs';

await readScriptArgs(
  {
    command: 'pnpm dev:env',
    summary:
      'Prints `export DATABASE_URL=... LEGACY_DATABASE_URL=...` for the local stack `pnpm dev` started (its password is a fixed throwaway): eval "$(pnpm -s dev:env)".',
    env: { LEGACY_DATABASE_URL: `printed as given (default ${DEFAULT_LEGACY_URL})`, ...STACK_ENV },
    notes: 'exit codes: 0 printed, 2 `pnpm dev` has not run here.',
  },
  'dev',
);
const url = loadDevEnv().DATABASE_URL;
if (!url) {
  console.error('[dev] no local stack yet: run `pnpm dev` first.');
  process.exit(2);
}
const quote = (/** @type {string} */ v) => `'${v.replace(/'/g, `'\\''`)}'`;
console.log(
  `export DATABASE_URL=${quote(url)} LEGACY_DATABASE_URL=${quote(process.env.LEGACY_DATABASE_URL || DEFAULT_LEGACY_URL)}`,
);
