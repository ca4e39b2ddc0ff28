#!/usr/bin/env node
// `pnpm ops:status [--json] [--check]`: migrations, cron runs, backfills and locks in one view
// (docs/deploy.md, "Operations"). The logic is @wxyc/ops; this file names where jobs/ is, builds
// @wxyc/ops when missing or stale (in a checkout), and uses the local stack when DATABASE_URL is unset.
// It also runs in the migrate image (`--entrypoint node IMAGE dev_env/ops-status.mjs`): no build there.
import { existsSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const checkout = existsSync(`${ROOT}scripts/lib/build-state.mjs`);
if (checkout) (await import('../scripts/lib/build-state.mjs')).buildIfStale(ROOT, ['@wxyc/ops'], 'ops-status');
const { runOpsStatus, parseOpsArgs } = await import('@wxyc/ops');
// --help needs no database; bad arguments are refused by runOpsStatus, in one line, before one is looked for
let needsDatabase = true;
try {
  needsDatabase = !parseOpsArgs(argv).help;
} catch {
  needsDatabase = false;
}
if (checkout && needsDatabase && !process.env.DATABASE_URL) {
  const { resolveDatabase } = await import('./local-stack.mjs');
  process.env.DATABASE_URL = (await resolveDatabase('ops-status')).url;
}
await runOpsStatus(argv, ROOT);
