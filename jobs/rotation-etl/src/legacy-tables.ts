// The legacy table this job reads (with its label lookup) and the SQL it reads it with.
import { legacyQueries } from '@wxyc/legacy-etl';

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
