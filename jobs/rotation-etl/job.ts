// rotation-etl: legacy MySQL rotation list -> PostgreSQL (README.md says how to run it).
import { runHistory } from '@wxyc/database';
import { runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { rotationEtl } from './src/main.js';

await runJob('rotation-etl', (log) => rotationEtl(log, process.argv.slice(2)), { hooks: [runHistory({ job: 'rotation-etl', kind: 'cron' }), sentryMonitor({ job: 'rotation-etl', kind: 'cron' })] });
