import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';
import { idsByLegacyId, lastPerId, upsertBatch, upsertMirror, type BadRows, type UpsertResult } from '@wxyc/legacy-etl';
import { ARTISTS_MIRROR, LIBRARY_MIRROR, RELEASE_TABLE } from './legacy-tables.js';
import type { MappedArtist, MappedLookup, MappedRelease } from './mapping.js';

type Db = Sql | TransactionSql;

export async function writeGenres(sql: Db, genres: MappedLookup[]): Promise<UpsertResult[]> {
  return upsertBatch(sql, {
    table: 'wxyc_schema.genres',
    key: 'legacy_genre_id',
    rows: genres.map((g) => ({ legacy_genre_id: g.legacyId, genre_name: g.name })),
  });
}

export async function writeFormats(sql: Db, formats: MappedLookup[]): Promise<UpsertResult[]> {
  return upsertBatch(sql, {
    table: 'wxyc_schema.formats',
    key: 'legacy_format_id',
    rows: formats.map((f) => ({ legacy_format_id: f.legacyId, format_name: f.name })),
  });
}

/**
 * Upserts artist cards. An artist whose genre is not imported (db_only, or unknown) gets no
 * genre. When an existing artist changes genre, its releases follow (library.genre_id is the
 * artist's genre): found through library_artist_id_idx, so the cost is that artist's releases.
 */
export async function writeArtists(sql: Db, artists: MappedArtist[]): Promise<UpsertResult[]> {
  const unique = lastPerId(artists, (a) => a.legacy_artist_id);
  const genres = await idsByLegacyId(
    sql,
    'wxyc_schema.genres',
    'legacy_genre_id',
    unique.map((a) => a.legacy_genre_id),
  );
  const results = await upsertMirror(
    sql,
    ARTISTS_MIRROR,
    unique.map(({ legacy_genre_id, ...a }) => ({
      ...a,
      genre_id: legacy_genre_id === null ? null : (genres.get(legacy_genre_id) ?? null),
    })),
  );
  const updated = results.filter((r) => !r.inserted).map((r) => r.id);
  if (updated.length > 0) await followArtistGenreQuery(sql, updated);
  return results;
}

/** The releases of these artists take their artist's genre (apart so a test can EXPLAIN it). */
export function followArtistGenreQuery(sql: Db, artistIds: readonly number[]): PendingQuery<Row[]> {
  const s = sql as Sql;
  return s`
    UPDATE wxyc_schema.library l SET genre_id = a.genre_id
    FROM wxyc_schema.artists a
    WHERE a.id = ANY(${intArray(s, artistIds)}) AND l.artist_id = a.id AND l.genre_id IS DISTINCT FROM a.genre_id`;
}

/** Upserts releases; a release whose artist card is not in PostgreSQL is counted and skipped. */
export async function writeReleases(sql: Db, releases: MappedRelease[], bad: BadRows): Promise<UpsertResult[]> {
  const unique = lastPerId(releases, (r) => r.legacy_release_id);
  const wanted = [...new Set(unique.map((r) => r.legacy_artist_id).filter((id) => id !== null))];
  const [artists, formats] = await Promise.all([
    sql<{ legacy_artist_id: number; id: number; genre_id: number | null }[]>`
      SELECT id, legacy_artist_id, genre_id FROM wxyc_schema.artists WHERE legacy_artist_id = ANY(${intArray(sql as Sql, wanted)})`,
    idsByLegacyId(
      sql,
      'wxyc_schema.formats',
      'legacy_format_id',
      unique.map((r) => r.legacy_format_id),
    ),
  ]);
  const artistOf = new Map(artists.map((a) => [a.legacy_artist_id, a]));
  const rows = [];
  for (const { legacy_artist_id, legacy_format_id, ...r } of unique) {
    const artist = legacy_artist_id === null ? undefined : artistOf.get(legacy_artist_id);
    if (artist === undefined) {
      bad.reject(
        RELEASE_TABLE,
        r.legacy_release_id,
        legacy_artist_id === null ? 'no LIBRARY_CODE_ID' : 'unknown artist (LIBRARY_CODE_ID not imported)',
      );
      continue;
    }
    rows.push({
      ...r,
      artist_id: artist.id,
      genre_id: artist.genre_id,
      format_id: legacy_format_id === null ? null : (formats.get(legacy_format_id) ?? null),
    });
  }
  return upsertMirror(sql, LIBRARY_MIRROR, rows);
}
