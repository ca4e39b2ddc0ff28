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
import { CODE_QUERIES, CODE_TABLE, GENRE_TABLE, RELEASE_QUERIES, RELEASE_TABLE } from './legacy-tables.js';

type LegacyRecord = Record<string, unknown>;
const v = (row: LegacyRecord, col: string) => row[col] as LegacyValue;

/** The legacy genre of internal, database-only cards: not a genre of the station's shelves. */
export const INTERNAL_GENRE = 'db_only';

/** A wxyc_schema.genres or formats row: id and name. */
export interface MappedLookup {
  legacyId: number;
  name: string;
}

/** A wxyc_schema.artists row before its genre id is looked up. */
export interface MappedArtist {
  legacy_artist_id: number;
  legacy_genre_id: number | null;
  artist_name: string;
  alphabetical_name: string | null;
  code_letters: string;
  code_artist_number: number;
  add_date: string;
  last_modified: Date;
  /** sourceHash of the legacy row (what verification compares). */
  source_hash: number;
}

/** A wxyc_schema.library row before its artist, genre and format ids are looked up. */
export interface MappedRelease {
  legacy_release_id: number;
  legacy_artist_id: number | null;
  legacy_format_id: number | null;
  album_title: string;
  code_number: number;
  alternate_artist_name: string | null;
  missing: boolean;
  date_lost: Date | null;
  date_found: Date | null;
  add_date: Date;
  last_modified: Date;
  source_hash: number;
}

/** A GENRE or FORMAT row; null (and counted) without a name; null (not counted) for db_only. */
export function mapLookup(table: string, row: LegacyRecord, bad: BadRows): MappedLookup | null {
  const id = intCell(v(row, 'ID'))!;
  const name = textCell(v(row, 'REFERENCE_NAME'), 64, { table, legacyId: id, bad }, 'REFERENCE_NAME');
  if (name === null) {
    bad.reject(table, id, 'no REFERENCE_NAME');
    return null;
  }
  if (table === GENRE_TABLE && name.toLowerCase() === INTERNAL_GENRE) return null;
  return { legacyId: id, name };
}

/** A smallint call number (the column is smallint), or null. */
function callNumber(value: LegacyValue): number | null {
  const n = intCell(value);
  return n !== null && n >= 0 && n <= 32_767 ? n : null;
}

/** Creation and modification times: the first usable of TIME_CREATED/TIME_LAST_MODIFIED each way round. */
function times(row: LegacyRecord, now: number): { created: Date; modified: Date } | null {
  const created = firstUsableTime([v(row, 'TIME_CREATED'), v(row, 'TIME_LAST_MODIFIED')], now);
  const modified = firstUsableTime([v(row, 'TIME_LAST_MODIFIED'), v(row, 'TIME_CREATED')], now);
  return created && modified ? { created, modified } : null;
}

/** Maps a LIBRARY_CODE row (an artist card); null (and counted) when it cannot be filed. */
export function mapArtist(row: LegacyRecord, bad: BadRows, now = Date.now()): MappedArtist | null {
  const id = intCell(v(row, 'ID'))!;
  const ref: RowRef = { table: CODE_TABLE, legacyId: id, bad };
  const name = textCell(v(row, 'PRESENTATION_NAME'), 128, ref, 'PRESENTATION_NAME');
  const letters = textCell(v(row, 'CALL_LETTERS'), null, ref, 'CALL_LETTERS');
  const number = callNumber(v(row, 'CALL_NUMBERS'));
  const t = times(row, now);
  const reason =
    name === null
      ? 'no PRESENTATION_NAME'
      : letters === null || [...letters].length > 4
        ? 'CALL_LETTERS empty or longer than 4 characters'
        : number === null
          ? 'CALL_NUMBERS not a number from 0 to 32767'
          : t === null
            ? 'no usable time (TIME_CREATED, TIME_LAST_MODIFIED)'
            : null;
  if (reason !== null) {
    bad.reject(CODE_TABLE, id, reason);
    return null;
  }
  return {
    legacy_artist_id: id,
    legacy_genre_id: positiveIntCell(v(row, 'GENRE_ID')),
    artist_name: name!,
    alphabetical_name: textCell(v(row, 'ALPHABETICAL_NAME'), 128, ref, 'ALPHABETICAL_NAME'),
    code_letters: letters!,
    code_artist_number: number!,
    add_date: stationDate(t!.created),
    last_modified: t!.modified,
    source_hash: sourceHash(CODE_QUERIES.columns, row),
  };
}

/**
 * Lost: DATE_LOST set and DATE_FOUND not after it. A lost release stays in the library,
 * marked missing; finding it again (a later DATE_FOUND) clears the mark.
 */
export function isMissing(lost: Date | null, found: Date | null): boolean {
  return lost !== null && (found === null || found.getTime() <= lost.getTime());
}

/** Maps a LIBRARY_RELEASE row; null (and counted) when it cannot be filed. */
export function mapRelease(row: LegacyRecord, bad: BadRows, now = Date.now()): MappedRelease | null {
  const id = intCell(v(row, 'ID'))!;
  const ref: RowRef = { table: RELEASE_TABLE, legacyId: id, bad };
  const title = textCell(v(row, 'TITLE'), 128, ref, 'TITLE');
  const number = callNumber(v(row, 'CALL_NUMBERS'));
  const t = times(row, now);
  const reason =
    title === null
      ? 'no TITLE'
      : number === null
        ? 'CALL_NUMBERS not a number from 0 to 32767'
        : t === null
          ? 'no usable time (TIME_CREATED, TIME_LAST_MODIFIED)'
          : null;
  if (reason !== null) {
    bad.reject(RELEASE_TABLE, id, reason);
    return null;
  }
  const lost = firstUsableTime([v(row, 'DATE_LOST')], now);
  const found = firstUsableTime([v(row, 'DATE_FOUND')], now);
  return {
    legacy_release_id: id,
    legacy_artist_id: positiveIntCell(v(row, 'LIBRARY_CODE_ID')),
    legacy_format_id: positiveIntCell(v(row, 'FORMAT_ID')),
    album_title: title!,
    code_number: number!,
    alternate_artist_name: textCell(v(row, 'ALTERNATE_ARTIST_NAME'), 128, ref, 'ALTERNATE_ARTIST_NAME'),
    missing: isMissing(lost, found),
    date_lost: lost,
    date_found: found,
    add_date: t!.created,
    last_modified: t!.modified,
    source_hash: sourceHash(RELEASE_QUERIES.columns, row),
  };
}
