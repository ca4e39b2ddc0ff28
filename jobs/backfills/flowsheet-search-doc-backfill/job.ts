import { runBackfillJob } from '@wxyc/backfill';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { readConfig, type BackfillConfig } from './src/config.js';
import { columnState, flowsheetSearchDoc, guardCount } from './src/definition.js';
import { summaryLines } from './src/report.js';

/** Exit code when the run ended but rows remain NULL (parked or still locked), so 0061's guard will still refuse. */
export const EXIT_INCOMPLETE = 11;

await runBackfillJob<BackfillConfig>({
  name: 'flowsheet-search-doc-backfill',
  readConfig,
  help: {
    summary:
      'Fills flowsheet.search_doc_new (search_doc with the DJ name) in bounded batches, resumably, so the switch 0061 can apply; run after the dj_name backfill. README.md says how to run it.',
  },
  async before({ sql, log }) {
    const state = await columnState(sql);
    if (state === 'switched') {
      log.info('check: migration 0061 has already switched search_doc in (the trigger owns it): nothing to do');
      return EXIT.OK;
    }
    if (state === 'missing') {
      throw new JobError(
        'wxyc_schema.flowsheet.search_doc_new does not exist: deploy up to migration 0054 first, then run this job.',
        EXIT.FAILED,
      );
    }
  },
  definition: () => flowsheetSearchDoc,
  async finish({ sql, log }, s) {
    if (!s.dryRun) for (const line of summaryLines(s)) log.info(line);
    // The same condition as 0061's guard, counted now.
    const left = await guardCount(sql);
    if (left === 0) {
      log.info(
        'check: 0 rows have search_doc_new IS NULL; migration 0061 can now apply (once the dj_name backfill is done too)',
      );
      return EXIT.OK;
    }
    log.info(
      `check: ${left} rows have search_doc_new IS NULL; 0061's guard will still refuse. ` +
        (s.dryRun
          ? 'Run without BACKFILL_DRY_RUN to fill them.'
          : 'See docs/runbooks/flowsheet-search-doc-backfill.md.'),
    );
    return s.dryRun ? EXIT.OK : EXIT_INCOMPLETE;
  },
});
