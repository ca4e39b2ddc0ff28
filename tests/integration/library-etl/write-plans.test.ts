// The PostgreSQL side of a tick on a full-size catalogue: the writes that are not plain upserts
// (releases following their artist's genre, rotation rows linked to late library releases) find
// their rows by index, so their cost follows the rows changed, not the tables.
import type { PendingQuery, Row } from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { followArtistGenreQuery } from '../../../jobs/library-etl/src/write.js';
import { linkQuery, resolvePendingLinks } from '../../../jobs/rotation-etl/src/write.js';

const db = useTestDatabase();
const plan = async (q: PendingQuery<Row[]>) =>
  (await db.sql`EXPLAIN ${q}`).map((r) => r['QUERY PLAN'] as string).join('\n');

beforeAll(async () => {
  const sql = db.sql;
  await sql`INSERT INTO wxyc_schema.genres (genre_name, legacy_genre_id) VALUES ('Rock', 1), ('Jazz', 2)`;
  await sql`INSERT INTO wxyc_schema.artists (artist_name, code_letters, code_artist_number, legacy_artist_id, genre_id)
    SELECT 'artist ' || i, 'AR', i % 30000, i, (SELECT id FROM wxyc_schema.genres WHERE legacy_genre_id = 1) FROM generate_series(1, 20000) i`;
  await sql`INSERT INTO wxyc_schema.library (artist_id, genre_id, album_title, code_number, legacy_release_id)
    SELECT a.id, a.genre_id, 'album ' || i, i % 100, i FROM generate_series(1, 150000) i JOIN wxyc_schema.artists a ON a.legacy_artist_id = 1 + i % 20000`;
  await sql`INSERT INTO wxyc_schema.rotation (rotation_bin, album_title, legacy_rotation_id) SELECT 'H', 'album ' || i, i FROM generate_series(1, 50000) i`;
  await sql`ANALYZE wxyc_schema.artists`;
  await sql`ANALYZE wxyc_schema.library`;
  await sql`ANALYZE wxyc_schema.rotation`;
}, 120_000);

describe('library-etl and rotation-etl writes on 150k releases and 50k rotation rows', () => {
  it('an artist changing genre rewrites its releases only, found through library_artist_id_idx', async () => {
    const [artist] = await db.sql`SELECT id FROM wxyc_schema.artists WHERE legacy_artist_id = 7`;
    const p = await plan(followArtistGenreQuery(db.sql, [artist!.id]));
    expect(p).toMatch(/library_artist_id_idx/);
    expect(p).not.toMatch(/Seq Scan on library/);

    await db.sql`UPDATE wxyc_schema.artists SET genre_id = (SELECT id FROM wxyc_schema.genres WHERE legacy_genre_id = 2) WHERE id = ${artist!.id}`;
    const r = await followArtistGenreQuery(db.sql, [artist!.id]);
    expect(r.count).toBe(8); // artist 7's releases: legacy ids 6, 20006, ..., 140006
    expect((await followArtistGenreQuery(db.sql, [artist!.id])).count).toBe(0); // nothing left to follow
  });

  it('linking late library releases touches the pending rotation rows by their unique legacy id', async () => {
    const p = await plan(linkQuery(db.sql, [10, 20, 30], [1, 2, 3]));
    expect(p).toMatch(/rotation_legacy_rotation_id_unique/);
    expect(p).not.toMatch(/Seq Scan on rotation/);

    const r = await resolvePendingLinks(db.sql, [
      [10, 5],
      [20, 6],
      [30, 999_999], // not in the library yet: stays pending
    ]);
    expect(r).toEqual({ linked: 2, pending: [[30, 999_999]] });
    const rows =
      await db.sql`SELECT r.legacy_rotation_id, l.legacy_release_id FROM wxyc_schema.rotation r JOIN wxyc_schema.library l ON l.id = r.album_id ORDER BY 1`;
    expect(rows.map((x) => [x.legacy_rotation_id, x.legacy_release_id])).toEqual([
      [10, 5],
      [20, 6],
    ]);
  });
});
