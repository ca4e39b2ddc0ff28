// Duplicate-cluster merge: all artists whose names match case-insensitively are one group (a row
// of the read query); the group's references in several tables are repointed to the lowest id and
// the duplicates deleted, all in the batch's transaction. A group that cannot merge parks alone.
import type { Sql } from 'postgres';
import { outcome, type Task } from '@wxyc/backfill';

export async function createClusterTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE band (id int PRIMARY KEY, name text NOT NULL)`;
  await sql`CREATE TABLE band_play (id serial PRIMARY KEY, band_id int NOT NULL REFERENCES band (id))`;
  await sql`CREATE TABLE band_album (id serial PRIMARY KEY, band_id int NOT NULL REFERENCES band (id))`;
  await sql`CREATE TABLE band_alias (band_id int NOT NULL REFERENCES band (id), alias text NOT NULL, PRIMARY KEY (band_id, alias))`;
}

export const clusterMerge: Task = {
  name: 'band-dedupe',
  table: 'public.band',
  key: 'cluster',
  read: `SELECT lower(name) AS cluster, min(id) AS keep, array_agg(id ORDER BY id) AS ids
         FROM band GROUP BY lower(name) HAVING count(*) > 1`,
  async resolve(rows) {
    return rows.map((g) => {
      const dups = (g.ids as number[]).filter((id) => id !== g.keep);
      return outcome.side(
        [
          { op: 'update', table: 'public.band_play', set: { band_id: g.keep }, where: { band_id: dups } },
          { op: 'update', table: 'public.band_album', set: { band_id: g.keep }, where: { band_id: dups } },
          { op: 'update', table: 'public.band_alias', set: { band_id: g.keep }, where: { band_id: dups } },
          { op: 'delete', table: 'public.band', where: { id: dups } },
        ],
        'merged',
      );
    });
  },
};
