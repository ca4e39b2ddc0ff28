// The linter's verdict on ALTER COLUMN ... TYPE against what PostgreSQL does (issue #27 item 8):
// each change is applied to a real table with rows and an index; a rewrite gives the table a new
// relfilenode, a catalog-only change keeps it. The linter must call the first an error
// (alter-column-type) and the second a note (still ACCESS EXCLUSIVE, briefly).
import { describe, expect, it } from 'vitest';
import { lintSource, newHistory } from '@wxyc/migration-lint';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase('empty');

// [from, to, what PostgreSQL does]
const CASES: Array<[string, string, 'rewrite' | 'catalog-only']> = [
  ['varchar(20)', 'varchar(50)', 'catalog-only'],
  ['varchar(20)', 'varchar(20)', 'catalog-only'],
  ['varchar(20)', 'varchar', 'catalog-only'],
  ['varchar(20)', 'text', 'catalog-only'],
  ['varchar', 'text', 'catalog-only'],
  ['text', 'varchar', 'catalog-only'],
  ['text', 'varchar(50)', 'rewrite'],
  ['varchar(50)', 'varchar(20)', 'rewrite'],
  ['varchar', 'varchar(20)', 'rewrite'],
  ['numeric(10,2)', 'numeric(12,2)', 'catalog-only'],
  ['numeric(10,2)', 'numeric', 'catalog-only'],
  ['numeric(10,2)', 'numeric(12,3)', 'rewrite'],
  ['numeric(12,2)', 'numeric(10,2)', 'rewrite'],
  ['numeric', 'numeric(10,2)', 'rewrite'],
  ['timestamp(3)', 'timestamp(6)', 'catalog-only'],
  ['timestamp(3)', 'timestamp', 'catalog-only'],
  ['timestamp', 'timestamp(3)', 'rewrite'],
  ['timestamptz(0)', 'timestamptz(3)', 'catalog-only'],
  ['time(2)', 'time(4)', 'catalog-only'],
  ['varbit(8)', 'varbit(16)', 'catalog-only'],
  ['int4', 'numeric', 'rewrite'],
  ['char(5)', 'char(10)', 'rewrite'],
  ['char(5)', 'varchar(10)', 'rewrite'],
  ['cidr', 'inet', 'catalog-only'],
  ['int4', 'int8', 'rewrite'],
  ['int8', 'int4', 'rewrite'],
  ['json', 'jsonb', 'rewrite'],
  ['timestamp', 'timestamptz', 'rewrite'],
];

const SAMPLE: Record<string, string> = {
  varchar: "'abc'",
  text: "'abc'",
  numeric: '12.5',
  timestamp: "'2026-01-01 10:00:00.123'",
  timestamptz: "'2026-01-01 10:00:00.123+00'",
  time: "'10:00:00.12'",
  varbit: "B'1010'",
  bit: "B'10101010'",
  char: "'abc'",
  cidr: "'10.0.0.0/8'",
  int4: '7',
  int8: '7',
  json: '\'{"a":1}\'',
};
const relfilenode = async (rel: string) =>
  (await db.sql<{ f: string }[]>`SELECT pg_relation_filenode(${rel}::regclass)::text AS f`)[0]!.f;

describe('ALTER COLUMN TYPE: the linter agrees with PostgreSQL on what rewrites', () => {
  it.each(CASES.map(([from, to, pg], i) => [i, from, to, pg] as const))('#%i %s -> %s: %s', async (i, from, to, pg) => {
    const t = `tc_${i}`;
    const sample = SAMPLE[from.replace(/\(.*$/, '')]!;
    // SET timezone: timestamp -> timestamptz is catalog-only under UTC since PostgreSQL 12; production is not UTC
    await db.sql.unsafe(
      `CREATE TABLE ${t} (id int, c ${from}); INSERT INTO ${t} SELECT g, ${sample} FROM generate_series(1, 100) g`,
    );
    const before = await relfilenode(t);
    await db.sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL timezone = 'America/New_York'`);
      await tx.unsafe(`ALTER TABLE ${t} ALTER COLUMN c TYPE ${to}`);
    });
    const actual = (await relfilenode(t)) === before ? 'catalog-only' : 'rewrite';
    expect(actual, 'what PostgreSQL did').toBe(pg);

    const history = newHistory();
    lintSource(`0000_${t}.sql`, `CREATE TABLE ${t} (id int, c ${from});`, history);
    const lint = lintSource(`0001_${t}.sql`, `ALTER TABLE ${t} ALTER COLUMN c TYPE ${to};`, history);
    expect(lint.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['alter-column-type', actual === 'rewrite' ? 'error' : 'note'],
    ]);
    expect(lint.findings[0]!.message).toContain(
      actual === 'rewrite'
        ? ': rewrites it'
        : ': catalog only (PostgreSQL neither rewrites nor scans), under a brief ACCESS EXCLUSIVE',
    );
  });

  it('a USING clause is a rewrite even where the types alone would not be', async () => {
    const history = newHistory();
    lintSource('0000_u.sql', 'CREATE TABLE u (c varchar(20));', history);
    const lint = lintSource(
      '0001_u.sql',
      'ALTER TABLE u ALTER COLUMN c TYPE varchar(50) USING c::varchar(50);',
      history,
    );
    expect(lint.findings.map((f) => f.severity)).toEqual(['error']);
  });
});
