// The legacy tables this job reads and the SQL it reads them with.
import { legacyQueries, mirrorTable } from '@wxyc/legacy-etl';

export const GENRE_TABLE = 'GENRE';
export const FORMAT_TABLE = 'FORMAT';
export const CODE_TABLE = 'LIBRARY_CODE';
export const RELEASE_TABLE = 'LIBRARY_RELEASE';

export const CODE_QUERIES = legacyQueries({
  table: CODE_TABLE,
  columns: [
    'ID',
    'GENRE_ID',
    'PRESENTATION_NAME',
    'ALPHABETICAL_NAME',
    'CALL_LETTERS',
    'CALL_NUMBERS',
    'TIME_LAST_MODIFIED',
    'TIME_CREATED',
  ],
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
export const lookupSql = (table: typeof GENRE_TABLE | typeof FORMAT_TABLE) =>
  `SELECT \`ID\`, \`REFERENCE_NAME\` FROM \`${table}\` ORDER BY \`ID\``;

/** wxyc_schema.artists: every written column is the legacy card's (README, "Column owners"). */
export const ARTISTS_MIRROR = mirrorTable({
  table: 'wxyc_schema.artists',
  key: 'legacy_artist_id',
  written: [
    'legacy_artist_id',
    'artist_name',
    'alphabetical_name',
    'code_letters',
    'code_artist_number',
    'add_date',
    'last_modified',
    'source_hash',
    'genre_id',
  ],
  owners: {
    legacy_artist_id: 'source',
    artist_name: 'source',
    alphabetical_name: 'source',
    code_letters: 'source',
    code_artist_number: 'source',
    add_date: 'source',
    last_modified: 'source',
    source_hash: 'source',
    genre_id: 'source',
  },
});

/** wxyc_schema.library: a release with no legacy format (FORMAT_ID 0 or not imported) keeps one a local job set. */
export const LIBRARY_MIRROR = mirrorTable({
  table: 'wxyc_schema.library',
  key: 'legacy_release_id',
  written: [
    'legacy_release_id',
    'album_title',
    'code_number',
    'alternate_artist_name',
    'missing',
    'date_lost',
    'date_found',
    'add_date',
    'last_modified',
    'source_hash',
    'artist_id',
    'genre_id',
    'format_id',
  ],
  owners: {
    legacy_release_id: 'source',
    album_title: 'source',
    code_number: 'source',
    alternate_artist_name: 'source',
    missing: 'source',
    date_lost: 'source',
    date_found: 'source',
    add_date: 'source',
    last_modified: 'source',
    source_hash: 'source',
    artist_id: 'source',
    genre_id: 'source',
    format_id: 'source-else-local',
  },
  none: 'FORMAT_ID 0 or not imported (NULL)',
});
