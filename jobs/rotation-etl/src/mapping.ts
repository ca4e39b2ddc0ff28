import {
  firstUsableTime,
  intCell,
  positiveIntCell,
  sourceHash,
  stationDate,
  textCell,
  type BadRows,
  type LegacyValue,
  type RowRef,
} from '@wxyc/legacy-etl';
import { ROTATION_QUERIES, ROTATION_TABLE } from './legacy-tables.js';

type LegacyRecord = Record<string, unknown>;
const v = (row: LegacyRecord, col: string) => row[col] as LegacyValue;

/** wxyc_schema.freq_enum: heavy, medium, light rotation and singles. */
export const BINS = ['H', 'M', 'L', 'S'] as const;
export type Bin = (typeof BINS)[number];

const INT4_MAX = 2_147_483_647;
const YEAR_10000 = Date.UTC(10_000, 0, 1);

/** A wxyc_schema.rotation row before its library id is looked up. */
export interface MappedRotation {
  legacy_rotation_id: number;
  /** LIBRARY_RELEASE_ID; null for 0 (not in the library). */
  legacy_release_id: number | null;
  rotation_bin: Bin;
  artist_name: string | null;
  album_title: string | null;
  record_label: string | null;
  discogs_release_id: number | null;
  add_date: string;
  /** Set once the release left rotation: the row is closed, never deleted. */
  kill_date: string | null;
  last_modified: Date;
  /** sourceHash of the ROTATION_RELEASE row (its own columns; COMPANY's name is not hashed). */
  source_hash: number;
}

/** The bin of a ROTATION_TYPE, or null for blank and unknown types. */
export function binOf(type: string | null): Bin | null {
  const t = type?.trim().toUpperCase() ?? '';
  return (BINS as readonly string[]).includes(t) ? (t as Bin) : null;
}

/** Maps a ROTATION_RELEASE row (with COMPANY_NAME joined); null (and counted) when it has no bin or no date. */
export function mapRotation(row: LegacyRecord, bad: BadRows, now = Date.now()): MappedRotation | null {
  const id = intCell(v(row, 'ID'))!;
  const ref: RowRef = { table: ROTATION_TABLE, legacyId: id, bad };
  const type = textCell(v(row, 'ROTATION_TYPE'), null, ref, 'ROTATION_TYPE');
  const bin = binOf(type);
  if (bin === null) {
    bad.reject(
      ROTATION_TABLE,
      id,
      type === null ? 'blank ROTATION_TYPE' : `unknown ROTATION_TYPE ${JSON.stringify(type)} (not H, M, L or S)`,
    );
    return null;
  }
  const added = firstUsableTime(
    [v(row, 'ROTATION_ADD_DATE'), v(row, 'TIME_CREATED'), v(row, 'TIME_LAST_MODIFIED')],
    now,
  );
  if (added === null) {
    bad.reject(ROTATION_TABLE, id, 'no usable date (ROTATION_ADD_DATE, TIME_CREATED, TIME_LAST_MODIFIED)');
    return null;
  }
  // A kill date may be planned ahead, so it is not held to the "not in the future" rule of times.
  let killMs = positiveIntCell(v(row, 'ROTATION_KILL_DATE'));
  if (killMs !== null && killMs >= YEAR_10000) {
    bad.repair(ROTATION_TABLE, id, 'ROTATION_KILL_DATE beyond year 9999, left empty');
    killMs = null;
  }
  let discogs = positiveIntCell(v(row, 'DISCOGS_RELEASE_ID'));
  if (discogs !== null && discogs > INT4_MAX) {
    bad.repair(ROTATION_TABLE, id, 'DISCOGS_RELEASE_ID out of range, left empty');
    discogs = null;
  }
  return {
    legacy_rotation_id: id,
    legacy_release_id: positiveIntCell(v(row, 'LIBRARY_RELEASE_ID')),
    rotation_bin: bin,
    artist_name: textCell(v(row, 'ARTIST_PRESENTATION_NAME'), 128, ref, 'ARTIST_PRESENTATION_NAME'),
    album_title: textCell(v(row, 'TITLE'), 128, ref, 'TITLE'),
    record_label:
      textCell(v(row, 'COMPANY_NAME'), 128, ref, 'COMPANY.NAME') ??
      textCell(v(row, 'ALTERNATE_LABEL_NAME'), 128, ref, 'ALTERNATE_LABEL_NAME'),
    discogs_release_id: discogs,
    add_date: stationDate(added),
    kill_date: killMs === null ? null : stationDate(new Date(killMs)),
    last_modified: firstUsableTime([v(row, 'TIME_LAST_MODIFIED'), v(row, 'TIME_CREATED')], now) ?? added,
    source_hash: sourceHash(ROTATION_QUERIES.columns, row),
  };
}
