import { describe, expect, it } from 'vitest';
import { createDbClient, maskUrl } from '@wxyc/database';
import { describeError, isUnreachable } from '@wxyc/job-runtime';
import { freePort } from '@wxyc/local-postgres';
import { useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

describe('createDbClient', () => {
  it('sets application_name and the default statement_timeout on every connection', async () => {
    const sql = createDbClient({ applicationName: 'flowsheet-etl', env: { DATABASE_URL: db.url } });
    try {
      const [row] = await sql<{ app: string; timeout: string }[]>`
        SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout`;
      expect(row).toEqual({ app: 'flowsheet-etl', timeout: '1min' });
    } finally {
      await sql.end();
    }
  });

  it('lets env override the timeout and the application name, and the server enforces it', async () => {
    const sql = createDbClient({
      applicationName: 'job',
      statementTimeoutMs: 600_000,
      env: { DATABASE_URL: db.url, DB_STATEMENT_TIMEOUT_MS: '200', DB_APPLICATION_NAME: 'job-override' },
    });
    try {
      const [row] = await sql<{ app: string }[]>`SELECT current_setting('application_name') AS app`;
      expect(row!.app).toBe('job-override');
      await expect(sql`SELECT pg_sleep(2)`).rejects.toMatchObject({ code: '57014' });
    } finally {
      await sql.end();
    }
  });

  it('reports an unreachable server as such, without the password', async () => {
    const port = await freePort();
    const url = `postgres://wxyc:topsecret@127.0.0.1:${port}/wxyc`;
    const sql = createDbClient({ applicationName: 'job', env: { DATABASE_URL: url, DB_CONNECT_TIMEOUT_S: '2' } });
    const err = await sql`SELECT 1`.then(
      () => null,
      (e: unknown) => e,
    );
    await sql.end();
    expect(isUnreachable(err)).toBe(true);
    expect(describeError(err)).not.toContain('topsecret');
    expect(maskUrl(url)).toBe(`postgres://wxyc:***@127.0.0.1:${port}/wxyc`);
  });
});
