export * as schema from './schema.js';
export { createDbClient, databaseUrlFromEnv, DEFAULT_STATEMENT_TIMEOUT_MS, type DbClientOptions } from './client.js';
export { maskUrl } from './mask-url.js';
export { intArray } from './int-array.js';
export { DJ_NAME_SQL, DJ_NAME_SOURCE_SQL, djNameExpression, djNameSource, noHandleSql } from './dj-name.js';
export {
  readJournal,
  loadMigrations,
  splitStatements,
  JournalError,
  NO_TRANSACTION_MARKER,
  type Journal,
  type JournalEntry,
  type Migration,
  type Statement,
} from './journal.js';
export { MIGRATIONS_DIR } from './paths.js';
export * from './migrate/index.js';
export { migrateWithDrizzle } from './drizzle-migrate.js';
