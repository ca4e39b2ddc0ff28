// The legacy tables this job reads and the SQL it reads them with.
import { legacyQueries } from '@wxyc/legacy-etl';

export const GENRE_TABLE = 'GENRE';
export const FORMAT_TABLE = 'FORMAT';
export const CODE_TABLE = 'LIBRARY_CODE';
export const RELEASE_TABLE = 'LIBRARY_RELEASE';

export const CODE_QUERIES = legacyQueries({
  table: CODE_TABLE,
  columns: ['ID', 'GENRE_ID', 'PRESENTATION_NAME', 'ALPHABETICAL_NAME', 'CALL_LETTERS', 'CALL_NUMBERS', 'TIME_LAST_MODIFIED', 'TIME_CREATED'],
});

export const RELEASE_QUERIES = legacyQueries({
  table: RELEASE_TABLE,
  columns: [
    'ID',
    'TITLE',
    'LIBRARY_CODE_ID',
    'FORMAT_ID',
    'CALL_NUMBERS',
    'ALTERNATE_ARTIST_NAME',
    'TIME_LAST_MODIFIED',
    'TIME_CREATED',
    'DATE_LOST',
    'DATE_FOUND',
  ],
});

/**
 * GENRE and FORMAT are a few dozen rows with no modification time: they are read whole each
 * tick (a constant cost), and only the rows that differ are written.
 */
export const lookupSql = (table: typeof GENRE_TABLE | typeof FORMAT_TABLE) => `SELECT \`ID\`, \`REFERENCE_NAME\` FROM \`${table}\` ORDER BY \`ID\``;
