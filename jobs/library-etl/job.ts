// library-etl: legacy MySQL card catalogue -> PostgreSQL (README.md says how to run it).
import { runHistory } from '@wxyc/database';
import { runJob } from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import { libraryEtl } from './src/main.js';

await runJob('library-etl', (log) => libraryEtl(log, process.argv.slice(2)), { hooks: [runHistory({ job: 'library-etl', kind: 'cron' }), sentryMonitor({ job: 'library-etl', kind: 'cron' })] });
