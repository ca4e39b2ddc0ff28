// rotation-etl: legacy MySQL rotation list -> PostgreSQL (README.md says how to run it).
import { runHistory } from '@wxyc/database';
import { readArgs, runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { COMMAND, rotationEtl } from './src/main.js';

// --help, or an unknown argument (one line, exit 2): before the run is recorded
readArgs(COMMAND, process.argv.slice(2), 'rotation-etl');
await runJob('rotation-etl', (log) => rotationEtl(log, process.argv.slice(2)), {
  hooks: [runHistory({ job: 'rotation-etl', kind: 'cron' }), sentryMonitor({ job: 'rotation-etl', kind: 'cron' })],
});
