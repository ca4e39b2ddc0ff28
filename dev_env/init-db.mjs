#!/usr/bin/env node
// Migration runner: `node dev_env/init-db.mjs [--status | --dry-run | --seed | --trace | --export-stats]`, the entrypoint of the
// migrate image and of the local stack. The logic lives in @wxyc/database (src/migrate/,
// tested there); this file only names the dev seed, which is written only with --seed (pnpm dev). Settings and exit codes:
// docs/migrations.md. In a checkout it builds what it runs when missing or stale (the image has it built).
// --trace / --export-stats are @wxyc/migration-trace's (docs/migrations.md, "The trace").
import { existsSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const trace = argv.includes('--trace') || argv.includes('--export-stats');
if (existsSync(`${ROOT}scripts/lib/build-state.mjs`)) {
  const { buildIfStale } = await import('../scripts/lib/build-state.mjs');
  buildIfStale(ROOT, [trace ? '@wxyc/migration-trace' : '@wxyc/database'], trace ? 'migrate:trace' : 'migrate');
}
if (trace) {
  const { runTraceCli } = await import('@wxyc/migration-trace').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    console.error(
      `[migrate:trace] error: @wxyc/migration-trace is not installed here (the migrate image has only the runner); run it from a checkout.`,
    );
    process.exit(2);
  });
  await runTraceCli(argv);
  process.exit();
}
const { runMigrateCli } = await import('@wxyc/database');
await runMigrateCli(argv, {
  seedFile: new URL('./seed/postgres-dev.sql', import.meta.url).pathname,
});
