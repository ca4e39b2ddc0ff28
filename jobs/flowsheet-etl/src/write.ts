import type { Sql, TransactionSql } from 'postgres';
import {
  idsByLegacyId,
  lastPerId,
  upsertMirror,
  type BadRows,
  type LegacyRow,
  type UpsertResult,
} from '@wxyc/legacy-etl';
import { ENTRY_TABLE, FLOWSHEET_MIRROR, SHOWS_MIRROR } from './legacy-tables.js';
import { mapEntry, mapShow, type MappedEntry, type MappedShow } from './mapping.js';
import type { PendingLink } from './links.js';
import { renameShowEntries, showsByLegacyId } from './show-dj-names.js';

type Db = Sql | TransactionSql;

export interface ShowPageResult {
  results: UpsertResult[];
  /** Entries of updated shows whose dj_name changed with their show. */
  renamed: number;
}

/**
 * Maps and upserts a page of legacy shows, then renames the entries of the shows it updated
 * (names follow their show), in the caller's transaction. A new show has no entries yet.
 */
export async function writeShowPage(
  sql: Db,
  rows: LegacyRow[],
  bad: BadRows,
  now = Date.now(),
): Promise<ShowPageResult> {
  const results = await writeShows(
    sql,
    rows.map((r) => mapShow(r, bad, now)).filter((s) => s !== null),
  );
  const renamed = await renameShowEntries(
    sql,
    results.filter((r) => !r.inserted).map((r) => r.id),
  );
  return { results, renamed };
}

export interface EntryPageResult {
  results: UpsertResult[];
  /** Inserted entries written with a dj_name (the rest: their show has no handle). */
  resolved: number;
  /** Legacy ids of entries whose show is not imported (yet): kept pending by the tick. */
  waiting: number[];
  /** Entries written whose library release or rotation row is not imported (yet). */
  links: PendingLink[];
}

/**
 * Maps and upserts a page of legacy entries, each with its show's dj_name in the same write.
 * Entries whose show is not in PostgreSQL are not written; they are returned as `waiting`
 * (and counted in `bad` unless `retry`: a pending entry still waiting was counted when first read).
 */
export async function writeEntryPage(
  sql: Db,
  rows: LegacyRow[],
  bad: BadRows,
  opts: { now?: number; retry?: boolean } = {},
): Promise<EntryPageResult> {
  const now = opts.now ?? Date.now();
  const { results, resolved, waiting, links } = await writeEntries(
    sql,
    rows.map((r) => mapEntry(r, bad, now)).filter((e) => e !== null),
    bad,
  );
  if (!opts.retry)
    for (const id of waiting) bad.reject(ENTRY_TABLE, id, 'unknown show id (RADIO_SHOW_ID not imported)');
  return { results, resolved, waiting, links };
}

export async function writeShows(sql: Db, shows: MappedShow[]): Promise<UpsertResult[]> {
  const unique = lastPerId(shows, (s) => s.legacy_show_id);
  const specialty = await idsByLegacyId(
    sql,
    'wxyc_schema.specialty_shows',
    'legacy_specialty_id',
    unique.map((s) => s.legacy_specialty_id),
  );
  return upsertMirror(
    sql,
    SHOWS_MIRROR,
    unique.map((s) => ({
      legacy_show_id: s.legacy_show_id,
      specialty_id: s.legacy_specialty_id === null ? null : (specialty.get(s.legacy_specialty_id) ?? null),
      show_name: s.show_name,
      start_time: s.start_time,
      end_time: s.end_time,
      legacy_dj_id: s.legacy_dj_id,
      legacy_dj_name: s.legacy_dj_name,
      source_hash: s.source_hash,
    })),
  );
}

export interface EntriesWritten {
  results: UpsertResult[];
  /** Inserted entries that got a dj_name. */
  resolved: number;
  waiting: number[];
  links: PendingLink[];
}

/**
 * Upserts a batch of entries, linked to their show, library release and rotation row by legacy
 * id, each carrying its show's dj_name by the DJ-name rule (in the INSERT: no second, non-HOT
 * write of a row just inserted; dj_name is local, so passive: see upsertMirror). An entry with no RADIO_SHOW_ID is skipped and counted; one whose show is not imported is
 * returned as waiting; one whose release or rotation row is not imported yet is written unlinked
 * and returned in `links` (its legacy link ids are kept on the row too).
 */
export async function writeEntries(sql: Db, entries: MappedEntry[], bad: BadRows): Promise<EntriesWritten> {
  const unique = lastPerId(entries, (e) => e.legacy_entry_id);
  const [shows, library, rotation] = await Promise.all([
    showsByLegacyId(
      sql,
      unique.map((e) => e.legacy_show_id),
    ),
    idsByLegacyId(
      sql,
      'wxyc_schema.library',
      'legacy_release_id',
      unique.map((e) => e.legacy_release_id),
    ),
    idsByLegacyId(
      sql,
      'wxyc_schema.rotation',
      'legacy_rotation_id',
      unique.map((e) => e.legacy_rotation_id),
    ),
  ]);
  const rows = [];
  const waiting: number[] = [];
  const links: PendingLink[] = [];
  for (const e of unique) {
    if (e.legacy_show_id === null) {
      bad.reject(ENTRY_TABLE, e.legacy_entry_id, 'no RADIO_SHOW_ID');
      continue;
    }
    const show = shows.get(e.legacy_show_id);
    if (show === undefined) {
      waiting.push(e.legacy_entry_id);
      continue;
    }
    const albumId = e.legacy_release_id === null ? null : (library.get(e.legacy_release_id) ?? null);
    const rotationId = e.legacy_rotation_id === null ? null : (rotation.get(e.legacy_rotation_id) ?? null);
    const link: PendingLink = [
      e.legacy_entry_id,
      albumId === null ? (e.legacy_release_id ?? 0) : 0,
      rotationId === null ? (e.legacy_rotation_id ?? 0) : 0,
    ];
    if (link[1] || link[2]) links.push(link);
    rows.push({
      legacy_entry_id: e.legacy_entry_id,
      show_id: show.id,
      album_id: albumId,
      rotation_id: rotationId,
      entry_type: e.entry_type,
      artist_name: e.artist_name,
      album_title: e.album_title,
      track_title: e.track_title,
      record_label: e.record_label,
      message: e.message,
      play_order: e.play_order,
      request_flag: e.request_flag,
      segue: e.segue,
      add_time: e.add_time,
      legacy_release_id: e.legacy_release_id,
      legacy_rotation_id: e.legacy_rotation_id,
      source_hash: e.source_hash,
      dj_name: show.djName,
    });
  }
  const results = await upsertMirror(sql, FLOWSHEET_MIRROR, rows);
  const named = new Set(rows.filter((r) => r.dj_name !== null).map((r) => r.legacy_entry_id));
  return { results, resolved: results.filter((r) => r.inserted && named.has(r.legacyId)).length, waiting, links };
}
