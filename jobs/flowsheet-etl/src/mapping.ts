import {
  firstUsableTime,
  flagCell,
  intCell,
  positiveIntCell,
  sourceHash,
  textCell,
  type BadRows,
  type LegacyValue,
  type RowRef,
} from '@wxyc/legacy-etl';
import { ENTRY_COLUMNS, ENTRY_TABLE, SHOW_COLUMNS, SHOW_TABLE } from './legacy-tables.js';

type LegacyRecord = Record<string, unknown>;
const v = (row: LegacyRecord, col: string) => row[col] as LegacyValue;

export type EntryType = 'track' | 'talkset' | 'breakpoint' | 'show_start' | 'show_end' | 'message';

/** FLOWSHEET_ENTRY_TYPE_CODE_ID: 0-6 tracks (other, rotation bins, new, library), then the markers. */
export function entryTypeFor(code: number | null): EntryType {
  if (code !== null && code >= 0 && code <= 6) return 'track';
  switch (code) {
    case 7:
      return 'talkset';
    case 8:
      return 'breakpoint';
    case 9:
      return 'show_start';
    case 10:
      return 'show_end';
    default:
      return 'message';
  }
}

/** A wxyc_schema.shows row before its specialty id is looked up. */
export interface MappedShow {
  legacy_show_id: number;
  legacy_specialty_id: number | null;
  show_name: string | null;
  start_time: Date;
  end_time: Date | null;
  legacy_dj_id: number | null;
  legacy_dj_name: string | null;
  /** TIME_LAST_MODIFIED, for the cursor. */
  modified: number | null;
  /** sourceHash of the legacy row (what verification compares). */
  source_hash: number;
}

/** A wxyc_schema.flowsheet row before its show, album and rotation ids are looked up. */
export interface MappedEntry {
  legacy_entry_id: number;
  legacy_show_id: number | null;
  legacy_release_id: number | null;
  legacy_rotation_id: number | null;
  entry_type: EntryType;
  artist_name: string | null;
  track_title: string | null;
  album_title: string | null;
  record_label: string | null;
  message: string | null;
  play_order: number;
  request_flag: boolean;
  segue: boolean;
  add_time: Date;
  modified: number | null;
  source_hash: number;
}

/** Maps a FLOWSHEET_RADIO_SHOW_PROD row; null (and counted) when it has no usable time. */
export function mapShow(row: LegacyRecord, bad: BadRows, now = Date.now()): MappedShow | null {
  const id = intCell(v(row, 'ID'))!;
  const ref: RowRef = { table: SHOW_TABLE, legacyId: id, bad };
  const start = firstUsableTime(
    [v(row, 'SIGNON_TIME'), v(row, 'STARTING_RADIO_HOUR'), v(row, 'TIME_CREATED'), v(row, 'TIME_LAST_MODIFIED')],
    now,
  );
  if (!start) {
    bad.reject(SHOW_TABLE, id, 'no usable time (SIGNON_TIME, STARTING_RADIO_HOUR, TIME_CREATED, TIME_LAST_MODIFIED)');
    return null;
  }
  return {
    legacy_show_id: id,
    legacy_specialty_id: positiveIntCell(v(row, 'SPECIALTY_SHOW_ID')),
    show_name: textCell(v(row, 'SHOW_NAME'), 128, ref, 'SHOW_NAME'),
    start_time: start,
    end_time: firstUsableTime([v(row, 'SIGNOFF_TIME')], now),
    legacy_dj_id: intCell(v(row, 'DJ_ID')),
    // The on-air handle; DJ_NAME is the DJ's real name and never leaves the legacy server.
    legacy_dj_name: textCell(v(row, 'DJ_HANDLE'), 128, ref, 'DJ_HANDLE'),
    modified: intCell(v(row, 'TIME_LAST_MODIFIED')),
    source_hash: sourceHash(SHOW_COLUMNS, row),
  };
}

/** Maps a FLOWSHEET_ENTRY_PROD row; null (and counted) when it has no usable time. */
export function mapEntry(row: LegacyRecord, bad: BadRows, now = Date.now()): MappedEntry | null {
  const id = intCell(v(row, 'ID'))!;
  const ref: RowRef = { table: ENTRY_TABLE, legacyId: id, bad };
  // START_TIME is 0 on most track rows: that is normal, the creation time stands in.
  const addTime = firstUsableTime([v(row, 'START_TIME'), v(row, 'TIME_CREATED'), v(row, 'TIME_LAST_MODIFIED')], now);
  if (!addTime) {
    bad.reject(ENTRY_TABLE, id, 'no usable time (START_TIME, TIME_CREATED, TIME_LAST_MODIFIED)');
    return null;
  }
  const type = entryTypeFor(intCell(v(row, 'FLOWSHEET_ENTRY_TYPE_CODE_ID')));
  const track = type === 'track';
  return {
    legacy_entry_id: id,
    legacy_show_id: positiveIntCell(v(row, 'RADIO_SHOW_ID')),
    legacy_release_id: track ? positiveIntCell(v(row, 'LIBRARY_RELEASE_ID')) : null,
    legacy_rotation_id: track ? positiveIntCell(v(row, 'ROTATION_RELEASE_ID')) : null,
    entry_type: type,
    artist_name: track ? textCell(v(row, 'ARTIST_NAME'), 128, ref, 'ARTIST_NAME') : null,
    track_title: track ? textCell(v(row, 'SONG_TITLE'), 128, ref, 'SONG_TITLE') : null,
    album_title: track ? textCell(v(row, 'RELEASE_TITLE'), 128, ref, 'RELEASE_TITLE') : null,
    record_label: track ? textCell(v(row, 'LABEL_NAME'), 128, ref, 'LABEL_NAME') : null,
    // On marker rows (show start/end, breaks, talksets) the text lives in ARTIST_NAME.
    message: track ? null : textCell(v(row, 'ARTIST_NAME'), 250, ref, 'ARTIST_NAME'),
    play_order: intCell(v(row, 'SEQUENCE_WITHIN_SHOW')) ?? 0,
    request_flag: flagCell(v(row, 'REQUEST_FLAG')),
    segue: flagCell(v(row, 'SEGUE_FLAG')),
    add_time: addTime,
    modified: intCell(v(row, 'TIME_LAST_MODIFIED')),
    source_hash: sourceHash(ENTRY_COLUMNS, row),
  };
}
