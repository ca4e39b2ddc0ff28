export * as schema from './schema.js';
export { createDbClient, databaseUrlFromEnv, DEFAULT_STATEMENT_TIMEOUT_MS, type DbClientOptions } from './client.js';
export { maskUrl } from './mask-url.js';
export { checkDatabaseUrl, describeTarget, type DatabaseTarget } from './database-url.js';
export { silentCloseDelayMs, ConnectGuardError } from './connect-guard.js';
export { isConnectionLost, describeConnectionLoss } from './connection-lost.js';
export { intArray, bigintArray } from './int-array.js';
export {
  DJ_NAME_SQL,
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_FILL_TRIGGER,
  DJ_NAME_FILL_FUNCTION,
  djNameExpression,
  djNameOfRowSql,
  djNameSource,
  noHandleSql,
} from './dj-name.js';
export { searchDocSql, SEARCH_DOC_TRIGGER, SEARCH_DOC_FUNCTION } from './search-doc.js';
export {
  readJournal,
  splitStatements,
  JournalError,
  NO_TRANSACTION_MARKER,
  migrationFileName,
  drizzleName,
  type Journal,
  type JournalEntry,
  type Migration,
  type MigrationLayout,
  type Statement,
} from './journal.js';
export { loadMigrations, readMigrationSet, detectLayout, strayAdvice, type MigrationSet } from './migration-set.js';
export { folderNameFor, folderTimestamp, folderTime, migrationTitle } from './folder-name.js';
export { convertToFolders } from './convert-to-folders.js';
export { MIGRATIONS_DIR } from './paths.js';
export {
  STATS_FILE,
  parseTableStats,
  readTableStats,
  lookupTableSize,
  describeTableSize,
  exportTableStats,
  type TableStats,
  type TableSize,
} from './table-stats.js';
export * from './migrate/index.js';
// The trace reads what a database has applied (the runner's bookkeeping, read-only).
export { readApplied } from './migrate/bookkeeping.js';
export { migrateWithDrizzle } from './drizzle-migrate.js';
export { sleep } from './migrate/sleep.js';
export {
  sqlState,
  LOCK_NOT_AVAILABLE,
  QUERY_CANCELED,
  INVALID_CATALOG_NAME,
  INVALID_AUTHORIZATION,
  INVALID_PASSWORD,
} from './migrate/failure.js';
export * from './run-history/index.js';
