import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';
import { idsByLegacyId, lastPerId, upsertMirror, type UpsertResult } from '@wxyc/legacy-etl';
import { ROTATION_MIRROR } from './legacy-tables.js';
import type { MappedRotation } from './mapping.js';

type Db = Sql | TransactionSql;

/** [legacy rotation id, legacy release id] of rotation rows whose library release is not imported yet. */
export type PendingLink = [rotationId: number, releaseId: number];

/**
 * Upserts rotation entries, linked to the library row of their LIBRARY_RELEASE_ID when it is
 * imported. Returns, per entry of the batch, the link still pending (release not in the library
 * yet) or null (linked, or no release).
 */
export async function writeRotation(
  sql: Db,
  entries: MappedRotation[],
): Promise<{ results: UpsertResult[]; links: Map<number, number | null> }> {
  const unique = lastPerId(entries, (e) => e.legacy_rotation_id);
  const library = await idsByLegacyId(
    sql,
    'wxyc_schema.library',
    'legacy_release_id',
    unique.map((e) => e.legacy_release_id),
  );
  const links = new Map<number, number | null>();
  const rows = unique.map(({ legacy_release_id, ...e }) => {
    const albumId = legacy_release_id === null ? null : (library.get(legacy_release_id) ?? null);
    links.set(e.legacy_rotation_id, albumId === null ? legacy_release_id : null);
    return { ...e, album_id: albumId };
  });
  return { results: await upsertMirror(sql, ROTATION_MIRROR, rows), links };
}

/**
 * Links rotation rows to library rows imported since (library-etl runs on its own schedule).
 * Touches only the pending rows, by their unique legacy ids; returns the links still pending.
 */
export async function resolvePendingLinks(
  sql: Db,
  pending: PendingLink[],
): Promise<{ linked: number; pending: PendingLink[] }> {
  if (pending.length === 0) return { linked: 0, pending };
  const library = await idsByLegacyId(
    sql,
    'wxyc_schema.library',
    'legacy_release_id',
    pending.map(([, release]) => release),
  );
  const found = pending.filter(([, release]) => library.has(release));
  if (found.length === 0) return { linked: 0, pending };
  const result = await linkQuery(
    sql,
    found.map(([rotation]) => rotation),
    found.map(([, release]) => library.get(release)!),
  );
  return { linked: result.count, pending: pending.filter(([, release]) => !library.has(release)) };
}

/** At most this many pending links are kept (the newest entries): a release never imported must not grow the cursor forever. */
export const MAX_PENDING_LINKS = 10_000;

/** The pending links after a batch: its entries' links replace what was pending for them. */
export function mergePending(pending: PendingLink[], batch: Map<number, number | null>): PendingLink[] {
  const byRotation = new Map(pending);
  for (const [rotation, release] of batch) {
    if (release === null) byRotation.delete(rotation);
    else byRotation.set(rotation, release);
  }
  return [...byRotation].sort((a, b) => a[0] - b[0]).slice(-MAX_PENDING_LINKS);
}

/** Sets album_id of the rotation rows with these legacy ids, by the unique legacy id (apart so a test can EXPLAIN it). */
export function linkQuery(sql: Db, rotationIds: readonly number[], albumIds: readonly number[]): PendingQuery<Row[]> {
  const s = sql as Sql;
  return s`
    UPDATE wxyc_schema.rotation r SET album_id = v.album_id
    FROM unnest(${intArray(s, rotationIds)}, ${intArray(s, albumIds)}) AS v(legacy_rotation_id, album_id)
    WHERE r.legacy_rotation_id = v.legacy_rotation_id AND r.album_id IS NULL`;
}
