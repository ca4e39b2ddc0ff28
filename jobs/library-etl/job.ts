// library-etl: legacy MySQL card catalogue -> PostgreSQL (README.md says how to run it).
import { runHistory } from '@wxyc/database';
import { readArgs, runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { COMMAND, libraryEtl } from './src/main.js';

// --help, or an unknown argument (one line, exit 2): before the run is recorded
readArgs(COMMAND, process.argv.slice(2), 'library-etl');
await runJob('library-etl', (log) => libraryEtl(log, process.argv.slice(2)), {
  hooks: [runHistory({ job: 'library-etl', kind: 'cron' }), sentryMonitor({ job: 'library-etl', kind: 'cron' })],
});
