// The two legacy tables this job reads and the SQL it reads them with. DJ_NAME (a DJ's real
// name, personal data) is never selected.

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

const columnsOf = (table: LegacyTable) => (table === SHOW_TABLE ? SHOW_COLUMNS : ENTRY_COLUMNS).map((c) => `\`${c}\``).join(', ');

/**
 * New rows: the next page above the last imported id, up to the id bound taken at the start
 * of the tick. `ID > ? AND ID <= ?` with ORDER BY ID is a range scan of the PRIMARY key (the
 * tables have no index on their time columns, so filtering on those would read every row).
 * Params: [afterId, upToId, limit].
 */
export const newRowsSql = (table: LegacyTable) =>
  `SELECT ${columnsOf(table)} FROM \`${table}\` WHERE \`ID\` > ? AND \`ID\` <= ? ORDER BY \`ID\` LIMIT ?`;

/**
 * Edited rows: only inside the window of the most recent ids (a bounded PRIMARY range), those
 * modified at or after the newest modification time already seen. Params: [afterId, upToId, sinceMs, limit].
 */
export const editedRowsSql = (table: LegacyTable) =>
  `SELECT ${columnsOf(table)} FROM \`${table}\` WHERE \`ID\` > ? AND \`ID\` <= ? AND \`TIME_LAST_MODIFIED\` >= ? ORDER BY \`ID\` LIMIT ?`;

/** The highest id now; MAX of the primary key is answered from the index. */
export const maxIdSql = (table: LegacyTable) => `SELECT COALESCE(MAX(\`ID\`), 0) AS max_id FROM \`${table}\``;
