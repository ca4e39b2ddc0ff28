#!/usr/bin/env node
// Migration runner: `node dev_env/init-db.mjs [--status | --dry-run | --seed]`, the entrypoint of the
// migrate image and of the local stack. The logic lives in @wxyc/database (src/migrate/,
// tested there); this file only names the dev seed, which is written only with --seed (pnpm dev). Settings and exit codes:
// docs/migrations.md. It runs the built package, so build first: `pnpm build`.
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
