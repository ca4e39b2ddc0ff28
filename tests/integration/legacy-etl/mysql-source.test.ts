// connectLegacy against a real MariaDB: parameterised reads, and each way a connection fails.
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { connectLegacy } from '@wxyc/legacy-etl';
import { freePort } from '@wxyc/local-postgres';
import { findMysqlServer, useLegacyDatabase } from '../../support/mysql.js';
import { failure } from '../../support/job-failure.js';

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server);

describe.skipIf(!server)('connectLegacy', () => {
  it('binds values as parameters (quotes and backslashes stay data)', async () => {
    const source = await connectLegacy(legacy.url);
    try {
      const tricky = 'O\'Brien \\ "x"; DROP TABLE y; --';
      expect(await source.query('SELECT ? AS v, ? AS n', [tricky, 1775304060000])).toEqual([
        { v: tricky, n: 1775304060000 },
      ]);
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

  it('a query stopped by KILL QUERY: exit 3 (the source failed), naming MySQL and the error', async () => {
    const source = await connectLegacy(legacy.url);
    const { id } = (await source.query<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]!;
    const killer = await mysql.createConnection({ uri: legacy.url });
    try {
      const slow = failure(
        source.query(
          'SET STATEMENT max_recursive_iterations = 4294967295 FOR WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ?) SELECT COUNT(*) AS c FROM r',
          [1e12],
        ),
      );
      // Kill it once the server runs it.
      for (let i = 0; i < 100; i++) {
        const [rows] = await killer.query<mysql.RowDataPacket[]>(
          'SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE ?',
          [id, '%RECURSIVE%'],
        );
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await killer.query('KILL QUERY ?', [id]);
      const err = await slow;
      expect(err.exitCode).toBe(EXIT.UNREACHABLE);
      expect(err.message).toMatch(
        /^legacy MySQL at mysql:\/\/\S+ stopped the query: Query execution was interrupted \(ER_QUERY_INTERRUPTED\)\. /,
      );
      // The connection is still usable afterwards.
      expect(await source.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await killer.end();
      await source.close();
    }
  });

  it('any other query error names MySQL: exit 1', async () => {
    const source = await connectLegacy(legacy.url);
    try {
      const err = await failure(source.query('SELECT * FROM NO_SUCH_TABLE'));
      expect(err.exitCode).toBe(EXIT.FAILED);
      expect(err.message).toMatch(
        /^legacy MySQL at mysql:\/\/\S+ failed a query: .*NO_SUCH_TABLE.* \(ER_NO_SUCH_TABLE\)$/,
      );
    } finally {
      await source.close();
    }
  });
});
