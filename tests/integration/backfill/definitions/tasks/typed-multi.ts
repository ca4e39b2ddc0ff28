// Typed multi-column update on a bigint key above 2^31: an integer, an enum, a timestamptz, jsonb,
// a text array and a varchar(8) in one write, each cast to its catalog type; a value too long for
// the varchar parks its row alone (22001) and the rest are written.
import type { Sql } from 'postgres';
import { outcome, type Task } from '@wxyc/backfill';

export const BASE = 5_000_000_000;

export async function createTypedTable(sql: Sql): Promise<void> {
  await sql`CREATE TYPE kind AS ENUM ('track', 'talk')`;
  await sql`
    CREATE TABLE items (id bigint PRIMARY KEY, n int, k kind, at timestamptz, meta jsonb, tags text[], code varchar(8), src text NOT NULL)`;
}

export const typedMulti: Task = {
  name: 'typed-multi',
  table: 'public.items',
  key: 'id',
  pending: 't.n IS NULL',
  async resolve(rows) {
    return rows.map((r) =>
      outcome.write({
        n: Number(r.id) - BASE,
        k: Number(r.id) % 2 ? 'talk' : 'track',
        at: '2026-12-07T01:02:03Z',
        meta: { src: r.src, nested: [1, 'two'] },
        tags: ['a', String(r.src)],
        code: String(r.src),
      }),
    );
  },
};
