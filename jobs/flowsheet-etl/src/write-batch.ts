import type { Sql, TransactionSql } from 'postgres';
import { idsByLegacyId, lastPerId, upsertBatch, type BadRows, type UpsertResult } from '@wxyc/legacy-etl';
import { ENTRY_TABLE } from './legacy-tables.js';
import type { MappedEntry, MappedShow } from './mapping.js';
import { showsByLegacyId } from './show-dj-names.js';

type Db = Sql | TransactionSql;

export async function writeShows(sql: Db, shows: MappedShow[]): Promise<UpsertResult[]> {
  const unique = lastPerId(shows, (s) => s.legacy_show_id);
  const specialty = await idsByLegacyId(sql, 'wxyc_schema.specialty_shows', 'legacy_specialty_id', unique.map((s) => s.legacy_specialty_id));
  return upsertBatch(sql, {
    table: 'wxyc_schema.shows',
    key: 'legacy_show_id',
    rows: unique.map((s) => ({
      legacy_show_id: s.legacy_show_id,
      specialty_id: s.legacy_specialty_id === null ? null : (specialty.get(s.legacy_specialty_id) ?? null),
      show_name: s.show_name,
      start_time: s.start_time,
      end_time: s.end_time,
      legacy_dj_id: s.legacy_dj_id,
      legacy_dj_name: s.legacy_dj_name,
    })),
  });
}

export interface EntriesWritten {
  results: UpsertResult[];
  /** Inserted entries that got a dj_name (the rest: their show has no handle). */
  resolved: number;
}

/**
 * Upserts a batch of entries, each with its show's dj_name (by the DJ-name rule) in the same
 * write; rows whose show is not in PostgreSQL are counted and skipped.
 */
export async function writeEntries(sql: Db, entries: MappedEntry[], bad: BadRows): Promise<EntriesWritten> {
  const unique = lastPerId(entries, (e) => e.legacy_entry_id);
  const [shows, library, rotation] = await Promise.all([
    showsByLegacyId(sql, unique.map((e) => e.legacy_show_id)),
    idsByLegacyId(sql, 'wxyc_schema.library', 'legacy_release_id', unique.map((e) => e.legacy_release_id)),
    idsByLegacyId(sql, 'wxyc_schema.rotation', 'legacy_rotation_id', unique.map((e) => e.legacy_rotation_id)),
  ]);
  const rows = [];
  for (const e of unique) {
    const show = e.legacy_show_id === null ? undefined : shows.get(e.legacy_show_id);
    if (show === undefined) {
      bad.reject(ENTRY_TABLE, e.legacy_entry_id, e.legacy_show_id === null ? 'no RADIO_SHOW_ID' : 'unknown show id (RADIO_SHOW_ID not imported)');
      continue;
    }
    rows.push({
      legacy_entry_id: e.legacy_entry_id,
      show_id: show.id,
      album_id: e.legacy_release_id === null ? null : (library.get(e.legacy_release_id) ?? null),
      rotation_id: e.legacy_rotation_id === null ? null : (rotation.get(e.legacy_rotation_id) ?? null),
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
      dj_name: show.djName,
    });
  }
  const results = await upsertBatch(sql, { table: 'wxyc_schema.flowsheet', key: 'legacy_entry_id', rows });
  const named = new Set(rows.filter((r) => r.dj_name !== null).map((r) => r.legacy_entry_id));
  return { results, resolved: results.filter((r) => r.inserted && named.has(r.legacyId)).length };
}
