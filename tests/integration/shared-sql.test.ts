import { beforeAll, describe, expect, it } from 'vitest';
import { DJ_NAME_SQL, djNameExpression, djNameSource, intArray } from '@wxyc/database';
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

describe('the shared dj_name expression', () => {
  it('prefers the account dj_name, then the legacy handle, then the account name', async () => {
    await db.sql`
      INSERT INTO auth_user (id, name, email, dj_name) VALUES
        ('u1', 'Account One', 'one@wxyc.org', 'DJ One'),
        ('u2', 'Account Two', 'two@wxyc.org', NULL)`;
    await db.sql`
      INSERT INTO wxyc_schema.shows (id, start_time, primary_dj_id, legacy_dj_name) VALUES
        (101, now(), 'u1', 'Legacy One'),
        (102, now(), 'u2', 'Legacy Two'),
        (103, now(), 'u2', NULL),
        (104, now(), NULL, 'Legacy Four'),
        (105, now(), NULL, NULL)`;
    const rows = await db.sql<{ id: number; dj: string | null }[]>`
      SELECT s.id, ${djNameExpression(db.sql)} AS dj FROM ${djNameSource(db.sql)} WHERE s.id >= 101 ORDER BY s.id`;
    expect(rows.map((r) => [r.id, r.dj])).toEqual([
      [101, 'DJ One'],
      [102, 'Legacy Two'],
      [103, 'Account Two'],
      [104, 'Legacy Four'],
      [105, null],
    ]);
    expect(DJ_NAME_SQL).toBe('COALESCE(u.dj_name, s.legacy_dj_name, u.name)');
  });
});
