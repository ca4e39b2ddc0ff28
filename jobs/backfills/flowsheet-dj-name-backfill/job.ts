import { runBackfill } from '@wxyc/backfill';
import { createDbClient, maskUrl, databaseUrlFromEnv, runHistory } from '@wxyc/database';
import { EXIT, JobError, countRows, runJob, shutdownSignal } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { readConfig } from './src/config.js';
import { fillableCount, flowsheetDjName, guardCount, hasDjNameColumn } from './src/definition.js';
import { REASONS_HELP, summaryLines } from './src/report.js';

/** Exit code when the run ended but track rows remain NULL, so 0060's dj_name guard will still refuse. */
export const EXIT_UNRESOLVED = 11;

await runJob('backfill', async (log) => {
  const config = readConfig(process.env, process.argv.slice(2));
  const url = databaseUrlFromEnv();
  const sql = createDbClient({ applicationName: 'flowsheet-dj-name-backfill', url, max: 3 });
  const shutdown = shutdownSignal((sig) => log.info(`${sig}: finishing the current batch, then stopping`));
  try {
    log.info(`database ${maskUrl(url)}${config.dryRun ? ' (dry run: nothing is written)' : ''}`);
    if (!(await hasDjNameColumn(sql))) {
      throw new JobError('wxyc_schema.flowsheet.dj_name does not exist: deploy up to migration 0053 first, then run this job.', EXIT.FAILED);
    }
    const s = await runBackfill(flowsheetDjName, {
      sql,
      log,
      signal: shutdown.signal,
      batchSize: config.batchSize,
      targetMs: config.targetMs,
      pauseMs: config.pauseMs,
      maxReplicaLagMs: config.maxReplicaLagMs,
      lockTimeoutMs: config.lockTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      dryRun: config.dryRun,
      reset: config.reset,
      retryParked: config.retryParked,
      fallback: config.fallback === null ? null : { dj_name: config.fallback },
    });
    countRows({ read: s.rowsProcessed, written: s.rowsWritten, skipped: s.rowsUnresolved });
    if (s.interrupted) {
      log.info(
        `stopped after ${s.rowsProcessed} rows (position saved: id ${s.cursor}). ` +
          'To resume, run the same command again; to start over, add --reset.',
      );
      return EXIT.INTERRUPTED;
    }
    if (!s.dryRun) for (const line of summaryLines(s)) log.info(line);
    if (s.unresolved.length) log.info(`reasons: ${REASONS_HELP}`);
    // Track rows still NULL, counted now (rows may have arrived meanwhile).
    const left = s.pendingAtEnd ?? (await guardCount(sql));
    if (left === 0) {
      log.info("check: 0 track rows have dj_name IS NULL; 0060's dj_name guard passes");
      return EXIT.OK;
    }
    // 0060's guard waits only for the rows the DJ-name rule can still fill.
    const fillable = await fillableCount(sql);
    log.info(
      `check: ${left} track rows have dj_name IS NULL, ${fillable} of them with a name the rule can fill; ` +
        (fillable ? "0060's guard will still refuse. " : "0060's dj_name guard passes. ") +
        (s.dryRun ? 'Run without BACKFILL_DRY_RUN to fill them.' : 'See docs/runbooks/flowsheet-dj-name-backfill.md (unresolved rows).'),
    );
    return s.dryRun ? EXIT.OK : EXIT_UNRESOLVED;
  } finally {
    shutdown.dispose();
    await sql.end({ timeout: 5 });
  }
}, { hooks: [runHistory({ job: 'flowsheet-dj-name-backfill', kind: 'one-shot' }), sentryMonitor({ job: 'flowsheet-dj-name-backfill', kind: 'one-shot' })] });
