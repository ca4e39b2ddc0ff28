// Test-only definition: an update of seven columns of seven types from one text column `src`.
// Values come out of the SQL as text, json and int; the runner casts each to its catalog type.
import type { Sql } from 'postgres';
import type { BackfillDefinition } from '@wxyc/backfill';

export async function createTypedTables(sql: Sql): Promise<void> {
  await sql`CREATE TYPE mood AS ENUM ('calm', 'loud')`;
  await sql`CREATE TABLE parents (id int PRIMARY KEY)`;
  await sql`
    CREATE TABLE typed (
      id int PRIMARY KEY, src text NOT NULL, src_parent int,
      parent_id int REFERENCES parents (id), kind mood, at timestamptz, doc jsonb,
      search tsvector, code varchar(8), note text DEFAULT 'was set')`;
}

export const typedUpdate: BackfillDefinition = {
  name: 'typed-update',
  table: 'public.typed',
  key: 'id',
  columns: ['parent_id', 'kind', 'at', 'doc', 'search', 'code', 'note'],
  pending: 't.search IS NULL',
  resolve: `
    SELECT l.id,
           l.src_parent AS parent_id,
           CASE WHEN l.id % 2 = 0 THEN 'calm' ELSE 'loud' END AS kind,
           '2026-11-0' || (1 + abs(l.id) % 9) || 'T12:00:00Z' AS at,
           json_build_object('id', l.id, 'src', l.src) AS doc,
           to_tsvector('simple', l.src) AS search,
           l.src AS code,
           NULL AS note,
           CASE WHEN l.src = 'unknown' THEN 'no source' END AS reason
    FROM locked l`,
};
