import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';
import { idsByLegacyId } from '@wxyc/legacy-etl';

type Db = Sql | TransactionSql;

/**
 * [legacy entry id, LIBRARY_RELEASE_ID, ROTATION_RELEASE_ID] of an entry imported before its
 * library release or rotation row (0: that link is not waiting). library-etl and rotation-etl run
 * on their own schedules, so an entry often arrives first; each tick links what has arrived since.
 */
export type PendingLink = [entryId: number, releaseId: number, rotationId: number];

/** At most this many are kept (the newest entries): a release never imported must not grow the cursor forever. */
export const MAX_PENDING_LINKS = 10_000;

/** The pending links after a page: its entries' links replace what was pending for them. */
export function mergeLinks(
  pending: readonly PendingLink[],
  pageIds: readonly number[],
  waiting: readonly PendingLink[],
): PendingLink[] {
  const byEntry = new Map(pending.map((l) => [l[0], l]));
  for (const id of pageIds) byEntry.delete(id);
  for (const l of waiting) byEntry.set(l[0], l);
  return [...byEntry.values()].sort((a, b) => a[0] - b[0]).slice(-MAX_PENDING_LINKS);
}

/**
 * Links pending entries to the library and rotation rows imported since: lookups by the unique
 * legacy ids, then one UPDATE of those entries by their unique legacy id (only where the link is
 * still NULL). Returns how many links were made and what still waits.
 */
export async function resolveLinks(
  sql: Db,
  pending: PendingLink[],
): Promise<{ linked: number; pending: PendingLink[] }> {
  if (pending.length === 0) return { linked: 0, pending };
  const [library, rotation] = await Promise.all([
    idsByLegacyId(
      sql,
      'wxyc_schema.library',
      'legacy_release_id',
      pending.map((l) => l[1] || null),
    ),
    idsByLegacyId(
      sql,
      'wxyc_schema.rotation',
      'legacy_rotation_id',
      pending.map((l) => l[2] || null),
    ),
  ]);
  const albums = pending.filter((l) => l[1] && library.has(l[1]));
  const rotations = pending.filter((l) => l[2] && rotation.has(l[2]));
  let linked = 0;
  if (albums.length > 0)
    linked += (
      await linkQuery(
        sql,
        'album_id',
        albums.map((l) => l[0]),
        albums.map((l) => library.get(l[1])!),
      )
    ).count;
  if (rotations.length > 0)
    linked += (
      await linkQuery(
        sql,
        'rotation_id',
        rotations.map((l) => l[0]),
        rotations.map((l) => rotation.get(l[2])!),
      )
    ).count;
  const still = pending
    .map((l): PendingLink => [l[0], l[1] && !library.has(l[1]) ? l[1] : 0, l[2] && !rotation.has(l[2]) ? l[2] : 0])
    .filter((l) => l[1] || l[2]);
  return { linked, pending: still };
}

/** Sets album_id or rotation_id of these entries (by legacy id) where it is still NULL (apart so a test can EXPLAIN it). */
export function linkQuery(
  sql: Db,
  column: 'album_id' | 'rotation_id',
  entryIds: readonly number[],
  targetIds: readonly number[],
): PendingQuery<Row[]> {
  const s = sql as Sql;
  return s`
    UPDATE wxyc_schema.flowsheet f SET ${s(column)} = v.target
    FROM unnest(${intArray(s, entryIds)}, ${intArray(s, targetIds)}) AS v(legacy_entry_id, target)
    WHERE f.legacy_entry_id = v.legacy_entry_id AND f.${s(column)} IS NULL`;
}
