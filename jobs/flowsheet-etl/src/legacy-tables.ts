// The two legacy tables this job reads and the SQL it reads them with. DJ_NAME (a DJ's real
// name, personal data) is never selected.
import { legacyQueries, mirrorTable } from '@wxyc/legacy-etl';

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

/**
 * wxyc_schema.shows: the columns the import writes and who owns each (README, "Column owners").
 * A show the legacy system never signed off (SIGNOFF_TIME 0) keeps an end time a local job gave it.
 */
export const SHOWS_MIRROR = mirrorTable({
  table: 'wxyc_schema.shows',
  key: 'legacy_show_id',
  written: [
    'legacy_show_id',
    'specialty_id',
    'show_name',
    'start_time',
    'end_time',
    'legacy_dj_id',
    'legacy_dj_name',
    'source_hash',
  ],
  owners: {
    legacy_show_id: 'source',
    specialty_id: 'source',
    show_name: 'source',
    start_time: 'source',
    end_time: 'source-else-local',
    legacy_dj_id: 'source',
    legacy_dj_name: 'source',
    source_hash: 'source',
  },
  none: 'SIGNOFF_TIME 0, empty or far in the future (mapped to NULL)',
});

/**
 * wxyc_schema.flowsheet: an entry's album and rotation links are the legacy ones when they
 * resolve; a link a local job made (a re-link of an entry with LIBRARY_RELEASE_ID 0) is kept.
 * dj_name is local (the DJ-name rule; given on insert and kept in step by show renames).
 */
export const FLOWSHEET_MIRROR = mirrorTable({
  table: 'wxyc_schema.flowsheet',
  key: 'legacy_entry_id',
  written: [
    'legacy_entry_id',
    'show_id',
    'album_id',
    'rotation_id',
    'entry_type',
    'artist_name',
    'album_title',
    'track_title',
    'record_label',
    'message',
    'play_order',
    'request_flag',
    'segue',
    'add_time',
    'legacy_release_id',
    'legacy_rotation_id',
    'source_hash',
    'dj_name',
  ],
  owners: {
    legacy_entry_id: 'source',
    show_id: 'source',
    album_id: 'source-else-local',
    rotation_id: 'source-else-local',
    entry_type: 'source',
    artist_name: 'source',
    album_title: 'source',
    track_title: 'source',
    record_label: 'source',
    message: 'source',
    play_order: 'source',
    request_flag: 'source',
    segue: 'source',
    add_time: 'source',
    legacy_release_id: 'source',
    legacy_rotation_id: 'source',
    source_hash: 'source',
    dj_name: 'local',
  },
  none: 'LIBRARY_RELEASE_ID / ROTATION_RELEASE_ID 0 or not imported (NULL)',
});
