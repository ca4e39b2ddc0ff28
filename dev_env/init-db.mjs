#!/usr/bin/env node
// Migration runner: `node dev_env/init-db.mjs [--status | --dry-run | --trace | --export-stats]`, the entrypoint of the
// migrate image and of the local stack. The logic lives in @wxyc/database (src/migrate/,
// tested there); this file only wires in the dev seed. Settings and exit codes:
// docs/migrations.md. It runs the built package, so build first: `pnpm build`.
// --trace / --export-stats are @wxyc/migration-trace's (docs/migrations.md, "The trace").
if (process.argv.includes('--trace') || process.argv.includes('--export-stats')) {
  const trace = await import('@wxyc/migration-trace').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    console.error(`[migrate:trace] error: @wxyc/migration-trace is not built or not installed here (the migrate image has only the runner); run it from a checkout after \`pnpm build\`.`);
    process.exit(2);
  });
  await trace.runTraceCli(process.argv.slice(2));
  process.exit();
}
let runMigrateCli;
try {
  ({ runMigrateCli } = await import('@wxyc/database'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error(`[migrate] error: @wxyc/database is not built (${err.message}); run \`pnpm build\` first.`);
  process.exit(2);
}
await runMigrateCli(process.argv.slice(2), {
  seedFile: new URL('./seed/postgres-dev.sql', import.meta.url).pathname,
});
