// flowsheet-etl: legacy MySQL flowsheet -> PostgreSQL (README.md says how to run each mode).
import { runHistory } from '@wxyc/database';
import { readArgs, runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { COMMAND, flowsheetEtl } from './src/main.js';

// --help, or an unknown argument (one line, exit 2): before the run is recorded
readArgs(COMMAND, process.argv.slice(2), 'flowsheet-etl');
await runJob('flowsheet-etl', (log) => flowsheetEtl(log, process.argv.slice(2)), {
  hooks: [runHistory({ job: 'flowsheet-etl', kind: 'cron' }), sentryMonitor({ job: 'flowsheet-etl', kind: 'cron' })],
});
