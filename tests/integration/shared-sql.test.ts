import { beforeAll, describe, expect, it } from 'vitest';
import { djNameExpression, djNameSource, intArray, noHandleSql } from '@wxyc/database';
import { useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

describe('intArray binds any number of ids as one int[] parameter', () => {
  beforeAll(async () => {
    await db.sql`INSERT INTO wxyc_schema.genres (genre_name) SELECT 'g' || g FROM generate_series(1, 5) g`;
  });

  for (const ids of [[], [3], [1, 2, 4], Array.from({ length: 5000 }, (_, i) => i + 1)]) {
    it(`matches exactly ${ids.length} id(s)`, async () => {
      const rows = await db.sql<{ id: number }[]>`
        SELECT id FROM wxyc_schema.genres WHERE id = ANY(${intArray(db.sql, ids)}) ORDER BY id`;
      expect(rows.map((r) => r.id)).toEqual(ids.filter((i) => i <= 5));
    });
  }

  it('rejects non-integers before they reach the server', () => {
    expect(() => intArray(db.sql, [1, 2.5])).toThrow(/2.5 is not a 32-bit integer/);
    expect(() => intArray(db.sql, [2 ** 31])).toThrow(/not a 32-bit integer/);
  });
});

/** [account dj_name, account name, real_name, legacy handle, expected]; account NULL = the show has no DJ account. */
type Case = [string | null | undefined, string, string | null, string | null, string | null];
// undefined account: the show has no primary DJ at all.
const RULE_CASES: Record<string, Case> = {
  'account handle wins over the legacy handle': ['DJ One', 'Real One', 'Real One', 'Legacy One', 'DJ One'],
  'no account handle: the legacy handle, never the name': [null, 'Real Two', 'Real Two', 'Legacy Two', 'Legacy Two'],
  'no handle anywhere: NULL, never the name or real_name': [null, 'Real Three', 'Legal Three', null, null],
  'blank account handle counts as none': ['', 'Real Four', null, 'Legacy Four', 'Legacy Four'],
  'whitespace-only account handle counts as none': [' \t\n ', 'Real Five', null, null, null],
  '"Anonymous" account handle: no name, not the word': ['Anonymous', 'Real Six', null, null, null],
  '"anonymous" in any case and spacing, then the legacy handle': [
    ' anONy MOUS ',
    'Real Seven',
    null,
    'Legacy Seven',
    'Legacy Seven',
  ],
  'anonymous legacy handle is no handle either': [null, 'Real Eight', null, 'ANONYMOUS', null],
  'whitespace-only legacy handle is no handle': [undefined, '', null, '  ', null],
  'a handle is published trimmed': ['  DJ Padded\t', 'Real Nine', null, null, 'DJ Padded'],
  '"anonymous" inside a longer handle is a handle': ['Anonymous Bosch', 'Real Ten', null, null, 'Anonymous Bosch'],
  'no DJ account: the legacy handle': [undefined, '', null, 'Legacy Eleven', 'Legacy Eleven'],
  'no DJ account and no legacy handle: NULL': [undefined, '', null, null, null],
};

describe('the DJ-name rule (DJ_NAME_SQL) on PostgreSQL, every branch', () => {
  const entries = Object.entries(RULE_CASES);
  beforeAll(async () => {
    let n = 0;
    for (const [, [handle, name, realName, legacy]] of entries) {
      n++;
      const user = handle === undefined ? null : `rule-u${n}`;
      if (user) {
        await db.sql`INSERT INTO auth_user (id, name, email, dj_name, real_name)
          VALUES (${user}, ${name}, ${`${user}@wxyc.org`}, ${handle ?? null}, ${realName})`;
      }
      await db.sql`INSERT INTO wxyc_schema.shows (id, start_time, primary_dj_id, legacy_dj_name, show_name)
        VALUES (${1000 + n}, now(), ${user}, ${legacy}, ${`rule ${n}`})`;
    }
  });

  entries.forEach(([what, c], i) => {
    it(what, async () => {
      const [row] = await db.sql<{ dj: string | null }[]>`
        SELECT ${djNameExpression(db.sql)} AS dj FROM ${djNameSource(db.sql)} WHERE s.id = ${1001 + i}`;
      expect(row!.dj).toBe(c[4]);
    });
  });

  it('noHandleSql tells blank and anonymous stored values from handles', async () => {
    const values = ['', ' ', 'Anonymous', ' a N o n y m o u s ', 'DJ Anonymous', 'DJ One'];
    const rows = await db.sql<{ v: string; none: boolean }[]>`
      SELECT f.dj_name AS v, ${db.sql.unsafe(noHandleSql('f.dj_name'))} AS none
      FROM unnest(${values}::text[]) AS f(dj_name)`;
    expect(rows.map((r) => r.none)).toEqual([true, true, true, true, false, false]);
    expect(() => noHandleSql('f.dj_name; DROP TABLE x')).toThrow(/not alias.column/);
  });
});
