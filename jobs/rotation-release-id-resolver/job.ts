import { runTaskJob } from '@wxyc/backfill';
import { EXIT } from '@wxyc/job-runtime';
import { readConfig, type ResolverConfig } from './src/config.js';
import { RESOLVER_ENV } from './src/settings.js';
import { emptyCounts, summaryLine } from './src/outcomes.js';
import { resolverTask } from './src/task.js';

// This run's verdicts, filled by the task's resolve (the engine's own outcome counts span runs).
const counts = emptyCounts();

await runTaskJob<ResolverConfig>({
  name: 'rotation-release-id-resolver',
  kind: 'cron',
  readConfig,
  help: {
    summary:
      'Asks the metadata lookup service (LML) for the Discogs release id of active rotation rows without one; writes only direct matches, stamps definitive answers, leaves transient failures pending. README.md says more.',
    env: RESOLVER_ENV,
  },
  task: (c) => resolverTask(c, counts),
  async finish({ log }, s) {
    log.info(summaryLine(counts, s.dryRun));
    if (s.pendingAtEnd !== null && s.pendingAtEnd > 0)
      log.info(`${s.pendingAtEnd} rows still pending (transient failures, parked rows): the next tick asks them again`);
    return EXIT.OK;
  },
});
