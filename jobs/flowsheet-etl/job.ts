// flowsheet-etl: legacy MySQL flowsheet -> PostgreSQL (README.md says how to run each mode).
import { runHistory } from '@wxyc/database';
import { runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { flowsheetEtl } from './src/main.js';

await runJob('flowsheet-etl', (log) => flowsheetEtl(log, process.argv.slice(2)), { hooks: [runHistory({ job: 'flowsheet-etl', kind: 'cron' }), sentryMonitor({ job: 'flowsheet-etl', kind: 'cron' })] });
