// A job made only to test images (tests/integration/deploy/image-fixture-job.test.ts): it is
// copied into a temp copy of the repo as jobs/fixture-probe, never into the real tree.
import { createDbClient } from '@wxyc/database';
import { requireEnv, runJob } from '@wxyc/job-runtime';

await runJob('fixture-probe', async (log) => {
  requireEnv(process.env, 'DATABASE_URL', 'the URL of the database to probe');
  const sql = createDbClient({ applicationName: 'fixture-probe-default' });
  try {
    const [row] = await sql<{ app: string; timeout: string }[]>`
      SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout`;
    log.info(`connected as ${row?.app}, statement_timeout ${row?.timeout}`);
  } finally {
    await sql.end();
  }
});
