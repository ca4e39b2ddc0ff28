// The SQL the sources build (staging and keyset pages) and the JSON a batch is staged as.
import { describe, expect, it } from 'vitest';
import { JobError } from '@wxyc/job-runtime';
import {
  pageQuery,
  recordsetSql,
  stagedColumnsProblem,
  stagedStatement,
  stagingJson,
  tableReadProblem,
} from '@wxyc/backfill';

const cols = [
  { name: 'id', type: 'bigint' },
  { name: 'Artist', type: 'varchar(255)' },
  { name: 'played_at', type: 'timestamp with time zone' },
];

describe('staging SQL', () => {
  it('reads the batch as a typed relation from one parameter, names quoted', () => {
    expect(recordsetSql(cols)).toBe(
      'jsonb_to_recordset($1::text::jsonb) AS s("id" bigint, "Artist" varchar(255), "played_at" timestamp with time zone)',
    );
    expect(stagedStatement(cols.slice(0, 1), 'INSERT INTO t (id) SELECT id FROM staged', 2)).toBe(
      'WITH staged AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($2::text::jsonb) AS s("id" bigint)) INSERT INTO t (id) SELECT id FROM staged',
    );
  });

  it('accepts the type names DDL uses and refuses anything that could end the list', () => {
    for (const type of [
      'numeric(10,2)',
      'numeric(10, 2)',
      'integer[]',
      'wxyc_schema.kind',
      'double precision',
      'text[][]',
    ]) {
      expect(stagedColumnsProblem([{ name: 'x', type }])).toBeNull();
    }
    for (const type of ['text) ; DROP TABLE x; --', 'int, y int', "text DEFAULT 'a'", '']) {
      expect(stagedColumnsProblem([{ name: 'x', type }])).toMatch(/is not a type name/);
    }
    expect(stagedColumnsProblem([{ name: 'a"b', type: 'text' }])).toMatch(/not a plain identifier/);
    expect(
      stagedColumnsProblem([
        { name: 'a', type: 'text' },
        { name: 'a', type: 'int' },
      ]),
    ).toMatch(/listed twice/);
    expect(stagedColumnsProblem([])).toBe('no columns to stage');
    expect(() => recordsetSql([{ name: 'x', type: 'int);' }])).toThrow(JobError);
  });
});

describe('stagingJson', () => {
  const stage = (rec: Record<string, unknown>, c = [{ name: 'v', type: 'text' }]) =>
    JSON.parse(stagingJson([{ id: 7, ...rec }], c, ['id'])) as Record<string, unknown>[];
  const refused = (rec: Record<string, unknown>) => {
    try {
      stage(rec);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('sends only the declared columns; null and absent are left out (NULL)', () => {
    const out = JSON.parse(
      stagingJson(
        [{ id: 1, v: 'a', extra: 'x' }, { id: 2, v: null }, { id: 3 }],
        [
          { name: 'id', type: 'int' },
          { name: 'v', type: 'text' },
        ],
        ['id'],
      ),
    );
    expect(out).toEqual([{ id: 1, v: 'a' }, { id: 2 }, { id: 3 }]);
  });

  it('bigint as text, Date as ISO, bytes as \\x hex, nested objects kept', () => {
    expect(stage({ v: 2n ** 63n - 1n })).toEqual([{ v: '9223372036854775807' }]);
    expect(stage({ v: new Date(Date.UTC(2026, 2, 8, 7, 30)) })).toEqual([{ v: '2026-03-08T07:30:00.000Z' }]);
    expect(stage({ v: Buffer.from([0, 255]) })).toEqual([{ v: '\\x00ff' }]);
    expect(stage({ v: { a: [1, 'é', null], b: 10n } })).toEqual([{ v: { a: [1, 'é', null], b: '10' } }]);
  });

  it('refuses values that would change on the way, naming the record and field', () => {
    expect(refused({ v: Number.NaN })).toBe(
      'staging: record id=7, field v: NaN is not a number PostgreSQL can store (JSON would turn it into NULL)',
    );
    expect(refused({ v: 2 ** 53 + 2 })).toMatch(
      /record id=7, field v: 9007199254740994 is above 2\^53 .* read it as text/,
    );
    expect(refused({ v: 'a\u0000b' })).toMatch(/NUL character/);
    expect(refused({ v: 'x\uD800' })).toMatch(/lone UTF-16 surrogate/);
    expect(refused({ v: new Date('nope') })).toMatch(/invalid Date/);
    expect(refused({ v: { deep: [Infinity] } })).toMatch(/at "deep": Infinity/);
  });
});

describe('keyset page queries', () => {
  const read = {
    from: '`FLOWSHEET_ENTRY_PROD` e',
    select: 'e.ID, e.ARTIST_NAME',
    key: ['e.ID'],
    window: { column: 'e.TIME_CREATED', from: 10, to: 20 },
  };

  it('MySQL: window, key after the checkpoint, limit, all as ? parameters', () => {
    expect(pageQuery('mysql', read, null, 500)).toEqual({
      sql: 'SELECT e.ID, e.ARTIST_NAME FROM `FLOWSHEET_ENTRY_PROD` e WHERE `e`.`TIME_CREATED` >= ? AND `e`.`TIME_CREATED` < ? ORDER BY `e`.`ID` LIMIT ?',
      params: [10, 20, 500],
    });
    expect(pageQuery('mysql', { ...read, where: 'e.RADIO_SHOW_ID = ?', params: [4] }, [99], 500)).toEqual({
      sql: 'SELECT e.ID, e.ARTIST_NAME FROM `FLOWSHEET_ENTRY_PROD` e WHERE (e.RADIO_SHOW_ID = ?) AND `e`.`TIME_CREATED` >= ? AND `e`.`TIME_CREATED` < ? AND `e`.`ID` > ? ORDER BY `e`.`ID` LIMIT ?',
      params: [4, 10, 20, 99, 500],
    });
  });

  it('MySQL composite key: the expanded OR form (MariaDB does not index a row comparison)', () => {
    const q = pageQuery('mysql', { from: 't', select: '*', key: ['day', 'seq', 'id'] }, ['d', 3, 9], 10);
    expect(q.sql).toBe(
      'SELECT * FROM t WHERE ((`day` > ?) OR (`day` = ? AND `seq` > ?) OR (`day` = ? AND `seq` = ? AND `id` > ?)) ORDER BY `day`, `seq`, `id` LIMIT ?',
    );
    expect(q.params).toEqual(['d', 'd', 3, 'd', 3, 9, 10]);
  });

  it('PostgreSQL: numbered after the definition parameters; a row-value comparison for a composite key', () => {
    const q = pageQuery(
      'postgres',
      { from: 'public.plays p', select: 'p.*', key: ['p.played_at', 'p.id'], where: 'p.kind = $1', params: ['track'] },
      ['2026-01-01', '5'],
      100,
    );
    expect(q).toEqual({
      sql: 'SELECT p.* FROM public.plays p WHERE (p.kind = $1) AND ("p"."played_at", "p"."id") > ($2, $3) ORDER BY "p"."played_at", "p"."id" LIMIT $4',
      params: ['track', '2026-01-01', '5', 100],
    });
  });

  it('refuses a key or window column that is not a name', () => {
    expect(tableReadProblem({ from: 't', select: '*', key: [] })).toBe('no key columns to page by');
    expect(tableReadProblem({ from: 't', select: '*', key: ['id; DROP'] })).toMatch(/is not a column name/);
    expect(
      tableReadProblem({ from: 't', select: '*', key: ['id'], window: { column: 'a b', from: 1, to: 2 } }),
    ).toMatch(/is not a column name/);
  });
});
