import { runBackfill } from '@wxyc/backfill';
import { createDbClient, maskUrl, databaseUrlFromEnv } from '@wxyc/database';
import { EXIT, JobError, runJob, shutdownSignal } from '@wxyc/job-runtime';
import { readConfig } from './src/config.js';
import { columnState, flowsheetSearchDoc, guardCount } from './src/definition.js';
import { summaryLines } from './src/report.js';

/** Exit code when the run ended but rows remain NULL (parked or still locked), so 0060's guard will still refuse. */
export const EXIT_INCOMPLETE = 11;

await runJob('backfill', async (log) => {
  const config = readConfig(process.env, process.argv.slice(2));
  const url = databaseUrlFromEnv();
  const sql = createDbClient({ applicationName: 'flowsheet-search-doc-backfill', url, max: 3 });
  const shutdown = shutdownSignal((sig) => log.info(`${sig}: finishing the current batch, then stopping`));
  try {
    log.info(`database ${maskUrl(url)}${config.dryRun ? ' (dry run: nothing is written)' : ''}`);
    const state = await columnState(sql);
    if (state === 'switched') {
      log.info('check: migration 0060 has already switched search_doc in (the trigger owns it): nothing to do');
      return EXIT.OK;
    }
    if (state === 'missing') {
      throw new JobError('wxyc_schema.flowsheet.search_doc_new does not exist: deploy up to migration 0054 first, then run this job.', EXIT.FAILED);
    }
    const s = await runBackfill(flowsheetSearchDoc, {
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
    });
    if (s.interrupted) {
      log.info(
        `stopped after ${s.rowsProcessed} rows (position saved: id ${s.cursor}). ` +
          'To resume, run the same command again; to start over, add --reset.',
      );
      return EXIT.INTERRUPTED;
    }
    if (!s.dryRun) for (const line of summaryLines(s)) log.info(line);
    // The same condition as 0060's guard, counted now.
    const left = await guardCount(sql);
    if (left === 0) {
      log.info('check: 0 rows have search_doc_new IS NULL; migration 0060 can now apply (once the dj_name backfill is done too)');
      return EXIT.OK;
    }
    log.info(
      `check: ${left} rows have search_doc_new IS NULL; 0060's guard will still refuse. ` +
        (s.dryRun ? 'Run without BACKFILL_DRY_RUN to fill them.' : 'See docs/runbooks/flowsheet-search-doc-backfill.md.'),
    );
    return s.dryRun ? EXIT.OK : EXIT_INCOMPLETE;
  } finally {
    shutdown.dispose();
    await sql.end({ timeout: 5 });
  }
});
