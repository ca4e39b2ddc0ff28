import type { Sql } from 'postgres';
import { runBackfillJob, type RunSummary } from '@wxyc/backfill';
import { EXIT, JobError, type Logger } from '@wxyc/job-runtime';
import { DJ_NAME_ENV, DJ_NAME_FLAGS, readConfig, type BackfillConfig } from './src/config.js';
import {
  flowsheetDjName,
  flowsheetDjNameRefresh,
  guardCount,
  hasDjNameColumn,
  refreshPendingCount,
  refreshReasons,
} from './src/definition.js';
import {
  REASONS_HELP,
  REFRESH_REASONS_HELP,
  refreshDryRunLines,
  refreshSummaryLines,
  summaryLines,
} from './src/report.js';

/**
 * Exit code when the run ended with work the rule could still do: track rows NULL that have a
 * handle (0061's dj_name guard will refuse), or for --refresh, stored names that still differ. Rows
 * held by another session the whole time, or written meanwhile: run again. Rows with no handle
 * anywhere no longer cause it.
 */
export const EXIT_UNRESOLVED = 11;

await runBackfillJob<BackfillConfig>({
  name: 'flowsheet-dj-name-backfill',
  readConfig,
  help: {
    summary:
      "Fills flowsheet.dj_name (an on-air handle, never a real name) in bounded batches, resumably; 0061's dj_name guard waits for it. README.md says how to run it.",
    flags: DJ_NAME_FLAGS,
    env: DJ_NAME_ENV,
  },
  // 5 min for the pool's own queries: the start-up counts (and --refresh's, which probe shows per
  // row) read the whole table; ~20-33 s at 2.6M rows on the bench machine (bench:guard-0054).
  // Batches set their own timeout (BACKFILL_STATEMENT_TIMEOUT_MS). DB_STATEMENT_TIMEOUT_MS overrides.
  poolStatementTimeoutMs: 300_000,
  mode: (c) => (c.refresh ? ' --refresh' : ''),
  async before({ sql }) {
    if (!(await hasDjNameColumn(sql))) {
      throw new JobError(
        'wxyc_schema.flowsheet.dj_name does not exist: deploy up to migration 0053 first, then run this job.',
        EXIT.FAILED,
      );
    }
  },
  definition: (c) => (c.refresh ? flowsheetDjNameRefresh : flowsheetDjName),
  options: (c) => ({ fallback: c.fallback === null ? null : { dj_name: c.fallback } }),
  finish: ({ sql, log, config }, s) => (config.refresh ? finishRefresh(sql, log, s) : finishFill(sql, log, s, config)),
});

async function finishFill(sql: Sql, log: Logger, s: RunSummary, config: BackfillConfig): Promise<number> {
  if (!s.dryRun) for (const line of summaryLines(s)) log.info(line);
  if (s.unresolved.length) log.info(`no-handle reasons: ${REASONS_HELP}`);
  // The same condition as 0061's dj_name guard, counted now (rows may have arrived meanwhile). Not the
  // runner's pendingAtEnd: the fill's pending rows include those with no handle, which stay NULL.
  const left = await guardCount(sql);
  if (left === 0) {
    log.info("check: 0 track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard passes");
    return EXIT.OK;
  }
  log.info(
    `check: ${left} track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard will still refuse. ` +
      (config.dryRun
        ? 'Run without BACKFILL_DRY_RUN to fill them.'
        : 'Run the job again (rows held by another session or written meanwhile; parked rows: add --retry-parked).'),
  );
  return s.dryRun ? EXIT.OK : EXIT_UNRESOLVED;
}

async function finishRefresh(sql: Sql, log: Logger, s: RunSummary): Promise<number> {
  if (s.dryRun) {
    for (const line of refreshDryRunLines(await refreshReasons(sql))) log.info(line);
    log.info(`reasons: ${REFRESH_REASONS_HELP}`);
    return EXIT.OK;
  }
  for (const line of refreshSummaryLines(s)) log.info(line);
  // the refresh's pending predicate is exactly what is left to rewrite: the runner counted it at the end
  const left = s.pendingAtEnd ?? (await refreshPendingCount(sql));
  if (left === 0) {
    log.info('check: every stored dj_name is what the DJ-name rule gives now');
    return EXIT.OK;
  }
  log.info(
    `check: ${left} rows still have a dj_name the rule does not give; run the job again with --refresh (parked rows: add --retry-parked).`,
  );
  return EXIT_UNRESOLVED;
}
