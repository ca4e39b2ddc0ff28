#!/usr/bin/env node
// `pnpm ops:status [--json] [--check]`: migrations, cron runs, backfills and locks in one view
// (docs/deploy.md, "Operations"). The logic is @wxyc/ops; this file names where jobs/ is.
let runOpsStatus;
try {
  ({ runOpsStatus } = await import('@wxyc/ops'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error(`[ops-status] error: @wxyc/ops is not built (${err.message}); run \`pnpm build\` first.`);
  process.exit(2);
}
await runOpsStatus(process.argv.slice(2), new URL('..', import.meta.url).pathname);
