// connectLegacy against a real MariaDB: parameterised reads, and each way a connection fails.
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { connectLegacy } from '@wxyc/legacy-etl';
import { freePort } from '@wxyc/local-postgres';
import { findMysqlServer, useLegacyDatabase } from '../../support/mysql.js';

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server);

async function failure(p: Promise<unknown>): Promise<JobError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JobError);
  return err as JobError;
}

describe.skipIf(!server)('connectLegacy', () => {
  it('binds values as parameters (quotes and backslashes stay data)', async () => {
    const source = await connectLegacy(legacy.url);
    try {
      const tricky = "O'Brien \\ \"x\"; DROP TABLE y; --";
      expect(await source.query('SELECT ? AS v, ? AS n', [tricky, 1775304060000])).toEqual([{ v: tricky, n: 1775304060000 }]);
    } finally {
      await source.close();
    }
  });

  it('nobody listening: exit 3, the password masked', async () => {
    const port = await freePort();
    const err = await failure(connectLegacy(`mysql://u:secret@127.0.0.1:${port}/x`));
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toContain(`legacy MySQL at mysql://u:***@127.0.0.1:${port}/x is unreachable`);
    expect(err.message).not.toContain('secret');
  });

  it('an unknown database: exit 2, fix the URL', async () => {
    const u = new URL(legacy.url);
    u.pathname = '/no_such_database_here';
    const err = await failure(connectLegacy(u.toString()));
    expect(err.exitCode).toBe(EXIT.CONFIG);
    expect(err.message).toMatch(/refused the connection: .*no_such_database_here.*Fix LEGACY_DATABASE_URL\.$/);
  });

  it('a connection lost mid-tick: exit 3 naming MySQL', async () => {
    const source = await connectLegacy(legacy.url);
    const { id } = (await source.query<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]!;
    const killer = await mysql.createConnection({ uri: legacy.url });
    try {
      await killer.query('KILL CONNECTION ?', [id]);
    } finally {
      await killer.end();
    }
    const err = await failure(source.query('SELECT 1'));
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(/^lost the connection to legacy MySQL at mysql:\/\//);
    await source.close();
  });
});
