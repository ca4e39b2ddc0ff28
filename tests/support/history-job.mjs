// A job process for the run-history and Sentry tests: runJob with both hooks, doing what argv[2]
// says. It imports the built packages, as a job's bundle does (one @wxyc/job-runtime instance).
// First: FAKE_CLOCK_OFFSET_S / FAKE_NOW give this process a wrong clock (a host whose time is off).
import './fake-clock.mjs';
import { runHistory } from '@wxyc/database';
import { JobError, countRows, markSkipped, runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';

const mode = process.argv[2];
const job = process.env.HISTORY_JOB ?? 'history-fixture';
const kind = /** @type {'cron' | 'one-shot'} */ (process.env.HISTORY_KIND === 'one-shot' ? 'one-shot' : 'cron');

await runJob(
  job,
  async (log) => {
    if (mode === 'ok') {
      countRows({ read: 3, written: 2 });
      countRows({ read: 1, skipped: 1 });
      log.info('did the work');
      return 0;
    }
    if (mode === 'skip') {
      markSkipped();
      return 0;
    }
    if (mode === 'fail')
      throw new JobError('source postgres://etl:hunter2@db.example:5432/wxyc?password=hunter2 refused', 11);
    if (mode === 'interrupt') return 130;
    if (mode === 'hang') {
      log.info('started');
      await new Promise(() => setInterval(() => {}, 1000));
    }
    throw new Error(`unknown mode ${mode}`);
  },
  { hooks: [runHistory({ job, kind }), sentryMonitor({ job, kind })] },
);
