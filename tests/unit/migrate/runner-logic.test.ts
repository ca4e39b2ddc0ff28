import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  describeOffenders,
  errorLine,
  parseMigrateArgs,
  planMigrations,
  readMigrateSettings,
  splitStatements,
  parseConcurrentIndex,
  type Migration,
} from '@wxyc/database';

const migration = (tag: string, when: number, hash = `h-${tag}`): Migration => ({
  idx: 0,
  tag,
  when,
  file: `${tag}.sql`,
  hash,
  content: '',
  statements: [{ sql: 'SELECT 1', line: 1 }],
  noTransaction: false,
});

describe('planMigrations', () => {
  const a = migration('0000_a', 1000);
  const b = migration('0001_b', 2000);
  const c = migration('0002_c', 3000);

  it('matches applied rows by created_at = when, so an older unapplied entry stays pending', () => {
    const plan = planMigrations([a, b, c], [{ id: 1, hash: 'h-0001_b', created_at: '2000' }]);
    expect(plan.applied).toEqual([b]);
    expect(plan.pending).toEqual([a, c]);
    expect(plan.outOfOrder).toEqual([a]);
  });

  it('reports drift and rows that match no journal entry', () => {
    const plan = planMigrations(
      [a, b],
      [
        { id: 1, hash: 'other', created_at: 1000 },
        { id: 2, hash: 'x', created_at: '999' },
      ],
    );
    expect(plan.drifted).toEqual([{ migration: a, recordedHash: 'other' }]);
    expect(plan.unknownRows.map((r) => r.id)).toEqual([2]);
    expect(plan.pending).toEqual([b]);
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1000, 30_000, () => 0))).toEqual([
      500, 1000, 2000, 4000, 15_000,
    ]);
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1000, 30_000, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 30_000,
    ]);
  });
});

describe('readMigrateSettings', () => {
  const env = { DATABASE_URL: 'postgres://u:secret@h/db' };

  it('has the documented defaults', () => {
    expect(readMigrateSettings(env)).toMatchObject({
      lockWaitMs: 60_000,
      statementTimeout: '5min',
      lockTimeout: '2s',
      lockRetries: 10,
      retryBaseMs: 1000,
      retryCapMs: 30_000,
      strictHashes: false,
    });
  });

  it('reads overrides and refuses nonsense naming the variable', () => {
    const s = readMigrateSettings({
      ...env,
      MIGRATE_LOCK_WAIT: '2min',
      MIGRATE_LOCK_TIMEOUT: '500ms',
      MIGRATE_STRICT_HASHES: '1',
    });
    expect(s).toMatchObject({ lockWaitMs: 120_000, lockTimeout: '500ms', strictHashes: true });
    expect(() => readMigrateSettings({ ...env, MIGRATE_LOCK_TIMEOUT: 'soon' })).toThrow(
      /MIGRATE_LOCK_TIMEOUT="soon" is invalid/,
    );
    expect(() => readMigrateSettings({ ...env, MIGRATE_LOCK_RETRIES: '0' })).toThrow(/MIGRATE_LOCK_RETRIES/);
    expect(() => readMigrateSettings({ ...env, MIGRATE_RETRY_BASE_MS: '500', MIGRATE_RETRY_CAP_MS: '100' })).toThrow(
      /MIGRATE_RETRY_CAP_MS/,
    );
    expect(() => readMigrateSettings({})).toThrow(/DATABASE_URL is not set/);
  });

  it.each([
    [
      'MIGRATE_CONNECTION_CHECK_INTERVAL',
      '0',
      /MIGRATE_CONNECTION_CHECK_INTERVAL="0" is refused: it must be between 100ms and 1min \(0 switches off the server ending a killed runner's statement/,
    ],
    [
      'MIGRATE_LOCK_TIMEOUT',
      '0',
      /MIGRATE_LOCK_TIMEOUT="0" is refused: .*0 switches off the bound on how long a DDL statement queues/,
    ],
    [
      'MIGRATE_LOCK_TIMEOUT',
      '10min',
      /MIGRATE_LOCK_TIMEOUT="10min" is refused: it must be between 10ms and 1min \(outside that range it defeats/,
    ],
    ['MIGRATE_STATEMENT_TIMEOUT', '0ms', /MIGRATE_STATEMENT_TIMEOUT="0ms" is refused/],
    ['MIGRATE_IDLE_IN_TRANSACTION_TIMEOUT', '0', /MIGRATE_IDLE_IN_TRANSACTION_TIMEOUT="0" is refused/],
    ['MIGRATE_CONNECTION_CHECK_INTERVAL', '5us', /MIGRATE_CONNECTION_CHECK_INTERVAL="5us" is refused/],
  ])('refuses %s=%s, which would switch a guarantee off', (name, value, message) => {
    expect(() => readMigrateSettings({ ...env, [name]: value })).toThrow(message);
  });

  it('refuses a URL that names no host or no database, instead of letting PG* variables decide', () => {
    for (const url of [
      'postgres://',
      'postgres:///wxyc',
      'postgres://db.internal',
      'postgres://db.internal/',
      'postgresql://u:Secret9@:5432/',
    ]) {
      expect(() => readMigrateSettings({ DATABASE_URL: url }), url).toThrow(
        /names no (a host|a database name)|is not a valid URL/,
      );
      try {
        readMigrateSettings({ DATABASE_URL: url });
      } catch (err) {
        expect((err as Error).message).not.toContain('Secret9');
      }
    }
    expect(readMigrateSettings({ DATABASE_URL: 'postgres://db.internal/wxyc' }).url).toBe(
      'postgres://db.internal/wxyc',
    );
  });
});

describe('parseConcurrentIndex', () => {
  it('finds the index a CONCURRENTLY build creates from the parsed statement: name, table, schema', async () => {
    expect(
      await parseConcurrentIndex(
        '-- why\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Foo_Idx" ON "wxyc_schema"."t" (a);',
      ),
    ).toEqual({
      name: 'Foo_Idx',
      table: 't',
      tableSchema: 'wxyc_schema',
    });
    expect(
      await parseConcurrentIndex('/* a comment */ CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS foo_idx ON t (a)'),
    ).toEqual({
      name: 'foo_idx',
      table: 't',
      tableSchema: undefined,
    });
    expect(await parseConcurrentIndex('create index concurrently on T (a)')).toEqual({
      name: undefined,
      table: 't',
      tableSchema: undefined,
    });
    expect(await parseConcurrentIndex('CREATE INDEX foo_idx ON t (a)')).toBeUndefined();
    expect(await parseConcurrentIndex('CREATE INDEX CONCURRENTLY oops')).toBeUndefined();
  });
});

describe('errorLine', () => {
  it("adds the lines before the server's error position to the statement's line", () => {
    const [stmt] = splitStatements('-- c\n\nCREATE TABLE y (\n  id int,\n  name txet\n);');
    expect(stmt!.line).toBe(3);
    expect(errorLine(stmt!, { position: String('CREATE TABLE y (\n  id int,\n  name '.length + 1) })).toBe(5);
    expect(errorLine(stmt!, new Error('no position'))).toBe(3);
  });
});

describe('parseMigrateArgs', () => {
  it('knows --status and --dry-run, and nothing else', () => {
    expect(parseMigrateArgs([])).toEqual({ mode: 'apply', seed: false });
    expect(parseMigrateArgs(['--status'])).toEqual({ mode: 'status', seed: false });
    expect(parseMigrateArgs(['--dry-run'])).toEqual({ mode: 'dry-run', seed: false });
    expect(parseMigrateArgs(['--seed'])).toEqual({ mode: 'apply', seed: true });
    expect(() => parseMigrateArgs(['--seed', '--dry-run'])).toThrow(/--seed writes data; it cannot go with --dry-run/);
    expect(() => parseMigrateArgs(['--status', '--dry-run'])).toThrow(/at most one/);
    expect(() => parseMigrateArgs(['-f'])).toThrow(/unknown argument "-f"/);
  });
});

describe('describeOffenders', () => {
  it('names pid, age, lock, relation and query, and the remediation', () => {
    const text = describeOffenders([
      {
        pid: 42,
        gid: null,
        reason: 'access-exclusive-lock',
        application_name: 'psql',
        age_s: 3600,
        mode: 'AccessExclusiveLock',
        granted: true,
        relation: 'wxyc_schema.flowsheet',
        state: 'active',
        query: 'UPDATE wxyc_schema.flowsheet\n  SET x = 1',
      },
    ]);
    expect(text).toContain(
      'pid 42, age 3600s: holds AccessExclusiveLock on wxyc_schema.flowsheet (application_name \'psql\', state active); query: "UPDATE wxyc_schema.flowsheet SET x = 1"',
    );
    expect(text).toContain(
      'SELECT pg_cancel_backend(42), then pg_terminate_backend(42) if it is still there after a few seconds',
    );
  });

  it('tells to terminate a session idle in a transaction (cancel does nothing to it) and to ROLLBACK PREPARED a prepared one', () => {
    const common = {
      reason: 'access-exclusive-lock',
      application_name: 'psql',
      age_s: 5,
      mode: 'AccessExclusiveLock',
      granted: true,
      relation: 'wxyc_schema.t',
      query: null,
    } as const;
    const text = describeOffenders([
      { ...common, pid: 7, gid: null, state: 'idle in transaction' },
      { ...common, pid: null, gid: "batch'42", application_name: null, state: null },
    ]);
    expect(text).toContain('pid 7, age 5s: holds AccessExclusiveLock on wxyc_schema.t');
    expect(text).toContain(
      'SELECT pg_terminate_backend(7) (it is idle in transaction: pg_cancel_backend does nothing to it)',
    );
    expect(text).not.toContain('pg_cancel_backend(7)');
    expect(text).toContain("prepared transaction 'batch'42', age 5s");
    expect(text).toContain("ROLLBACK PREPARED 'batch''42' (a prepared transaction; no backend to cancel)");
  });
});
