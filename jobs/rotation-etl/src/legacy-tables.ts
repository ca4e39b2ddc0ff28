// The legacy table this job reads (with its label lookup) and the SQL it reads it with.
import { legacyQueries, mirrorTable } from '@wxyc/legacy-etl';

export const ROTATION_TABLE = 'ROTATION_RELEASE';

/** The label comes from COMPANY, joined by its primary key (one eq_ref lookup per row). */
export const ROTATION_QUERIES = legacyQueries({
  table: ROTATION_TABLE,
  columns: [
    'ID',
    'ARTIST_PRESENTATION_NAME',
    'TITLE',
    'ROTATION_TYPE',
    'ALTERNATE_LABEL_NAME',
    'ROTATION_ADD_DATE',
    'ROTATION_KILL_DATE',
    'LIBRARY_RELEASE_ID',
    'DISCOGS_RELEASE_ID',
    'TIME_LAST_MODIFIED',
    'TIME_CREATED',
  ],
  lookup: {
    join: 'LEFT JOIN `COMPANY` ON `COMPANY`.`ID` = `ROTATION_RELEASE`.`COMPANY_ID`',
    select: ['`COMPANY`.`NAME` AS `COMPANY_NAME`'],
  },
});

/**
 * wxyc_schema.rotation: the columns the import writes and who owns each (see the README,
 * "Column owners"). A local resolver's Discogs id, a de-dup's kill date and a re-link are kept
 * while the legacy row has none; a legacy value, once there, wins.
 */
export const ROTATION_MIRROR = mirrorTable({
  table: 'wxyc_schema.rotation',
  key: 'legacy_rotation_id',
  written: [
    'legacy_rotation_id',
    'rotation_bin',
    'artist_name',
    'album_title',
    'record_label',
    'discogs_release_id',
    'add_date',
    'kill_date',
    'last_modified',
    'source_hash',
    'album_id',
  ],
  owners: {
    legacy_rotation_id: 'source',
    rotation_bin: 'source',
    artist_name: 'source',
    album_title: 'source',
    record_label: 'source',
    add_date: 'source',
    last_modified: 'source',
    source_hash: 'source',
    discogs_release_id: 'source-else-local',
    kill_date: 'source-else-local',
    album_id: 'source-else-local',
  },
  none: 'DISCOGS_RELEASE_ID 0 or negative, ROTATION_KILL_DATE 0, LIBRARY_RELEASE_ID 0 (mapped to NULL)',
});
