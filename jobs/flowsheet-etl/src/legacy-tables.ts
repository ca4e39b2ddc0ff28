// The two legacy tables this job reads and the SQL it reads them with. DJ_NAME (a DJ's real
// name, personal data) is never selected.
import { legacyQueries } from '@wxyc/legacy-etl';

export const SHOW_TABLE = 'FLOWSHEET_RADIO_SHOW_PROD';
export const ENTRY_TABLE = 'FLOWSHEET_ENTRY_PROD';
export type LegacyTable = typeof SHOW_TABLE | typeof ENTRY_TABLE;

export const SHOW_COLUMNS = [
  'ID',
  'STARTING_RADIO_HOUR',
  'DJ_ID',
  'DJ_HANDLE',
  'SHOW_NAME',
  'SPECIALTY_SHOW_ID',
  'SIGNON_TIME',
  'SIGNOFF_TIME',
  'TIME_LAST_MODIFIED',
  'TIME_CREATED',
] as const;

export const ENTRY_COLUMNS = [
  'ID',
  'ARTIST_NAME',
  'SONG_TITLE',
  'RELEASE_TITLE',
  'LIBRARY_RELEASE_ID',
  'ROTATION_RELEASE_ID',
  'LABEL_NAME',
  'START_TIME',
  'RADIO_SHOW_ID',
  'SEQUENCE_WITHIN_SHOW',
  'FLOWSHEET_ENTRY_TYPE_CODE_ID',
  'TIME_LAST_MODIFIED',
  'TIME_CREATED',
  'REQUEST_FLAG',
  'SEGUE_FLAG',
] as const;

/** Bounded PRIMARY key ranges (@wxyc/legacy-etl legacyQueries). */
export const SHOW_QUERIES = legacyQueries({ table: SHOW_TABLE, columns: SHOW_COLUMNS });
export const ENTRY_QUERIES = legacyQueries({ table: ENTRY_TABLE, columns: ENTRY_COLUMNS });
