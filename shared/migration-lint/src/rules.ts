/** Every rule the linter applies, with what it protects against (docs/migrations.md lists them too). */
export const RULES = {
  'dml-with-ddl':
    'UPDATE, DELETE, MERGE or INSERT ... SELECT in a migration that also has DDL (DO blocks included): the rewrite runs while the DDL holds its lock. Bulk data changes belong in jobs/backfills/.',
  'index-not-concurrent':
    'CREATE INDEX on an existing table without CONCURRENTLY blocks every write to it for the whole build. Use CREATE INDEX CONCURRENTLY in a -- migrate:no-transaction file.',
  'unique-constraint-without-index':
    'ADD CONSTRAINT UNIQUE / PRIMARY KEY (or ADD COLUMN ... UNIQUE) on an existing table builds its index under ACCESS EXCLUSIVE: reads and writes wait for the whole build. CREATE UNIQUE INDEX CONCURRENTLY in a -- migrate:no-transaction file first, then ADD CONSTRAINT ... UNIQUE / PRIMARY KEY USING INDEX over it in the next migration.',
  'add-column-volatile-default':
    'ADD COLUMN on an existing table with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()/serial/identity, ...) rewrites the table under ACCESS EXCLUSIVE. Add it nullable, backfill in a job, then set the default.',
  'add-column-not-null-without-default':
    'ADD COLUMN ... NOT NULL without a DEFAULT on an existing table fails on any row, or needs a rewrite. Add it nullable, backfill, then SET NOT NULL behind a validated CHECK.',
  'alter-column-type':
    'ALTER COLUMN ... TYPE on an existing table that PostgreSQL rewrites (a different representation, a shrink, a precision or scale that rounds, USING) rewrites it and its indexes under ACCESS EXCLUSIVE. Add a new column, backfill it in a job, switch over. A binary-coercible widening (varchar(n) to a longer varchar or text, numeric to more precision at the same scale, ...) is only a note: catalog only, still a brief ACCESS EXCLUSIVE.',
  'transaction-control':
    'BEGIN/COMMIT/ROLLBACK in a migration: the runner runs each migration in its own transaction (or none, with -- migrate:no-transaction); an explicit one breaks that.',
  'constraint-not-valid':
    'ADD CONSTRAINT FOREIGN KEY or CHECK on an existing table without NOT VALID scans the table under lock (a foreign key: SHARE ROW EXCLUSIVE on the referenced table too, so writes to both wait). Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE only).',
  'validate-in-same-migration':
    'VALIDATE CONSTRAINT in the same migration that adds the constraint: the validating scan runs while the ADD still holds its lock (one transaction). Validate in the next migration.',
  'set-not-null-without-check':
    'SET NOT NULL on an existing table scans it under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists: add that CHECK NOT VALID, VALIDATE it, then SET NOT NULL.',
  'concurrently-needs-no-transaction':
    'CREATE/DROP INDEX CONCURRENTLY or REINDEX CONCURRENTLY cannot run in a transaction: the file must start with -- migrate:no-transaction and hold only that statement.',
  'no-transaction-one-statement':
    'A -- migrate:no-transaction file holds exactly one statement: outside a transaction, a failure halfway would leave the first ones applied and unrecorded.',
  'generated-column-needs-timeout':
    'Adding a STORED generated column (or SET EXPRESSION) rewrites the table: the migration must opt in to a longer statement timeout with SET LOCAL statement_timeout before it.',
  'dynamic-sql-in-do':
    'EXECUTE of a string built at run time inside a DO block: the linter cannot check it. Write the statement out, or allow it with a marker and a justification.',
  'session-setting':
    "SET / RESET / set_config(..., false) that is not transaction-local: the setting outlives the migration and reaches every later one on the runner's session (SET lock_timeout = 0 re-opened the wedge). Use SET LOCAL (or set_config(..., true)).",
  'drop-index-not-concurrent':
    'DROP INDEX without CONCURRENTLY on an index of an existing table takes ACCESS EXCLUSIVE on the table: reads and writes queue behind it. Use DROP INDEX CONCURRENTLY IF EXISTS in a -- migrate:no-transaction file.',
  'reindex-not-concurrent':
    'REINDEX without CONCURRENTLY blocks writes to the table (and reads through the index) for the whole rebuild. Use REINDEX ... CONCURRENTLY in a -- migrate:no-transaction file.',
  'vacuum-full-or-cluster':
    "VACUUM FULL and CLUSTER rewrite the whole table under ACCESS EXCLUSIVE (and VACUUM cannot run in the runner's transaction). Do maintenance outside migrations (pg_repack, or a plain VACUUM by an operator).",
  'rename-in-use':
    'Renaming a column or table that the deployed code still uses breaks every running query of the old release the moment it commits. Add the new column/table (or a view), switch the code, then drop the old one.',
  'domain-change-scans':
    'ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID) or SET NOT NULL checks every column of every table that uses the domain, under lock. Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later migration.',
  'lock-timeout-not-raised':
    "VALIDATE CONSTRAINT on an existing table under the runner's lock_timeout (MIGRATE_LOCK_TIMEOUT, 2s): its SHARE UPDATE EXCLUSIVE blocks no read or write, but waits behind a VACUUM or ANALYZE of the table, minutes on a big one, and fails (the runner retries the migration) for nothing. SET LOCAL lock_timeout = '1min' before it, in a migration that takes no write-blocking lock.",
  'lock-timeout-raised-for-blocking-lock':
    "SET LOCAL lock_timeout above the runner's default in a migration that takes a write-blocking lock (SHARE or stronger) on an existing table: while that statement waits, every reader and writer of the table queues behind it (the wedge lock_timeout exists to prevent), or it holds its lock while a later statement waits. Raise it only in a migration whose locks block no reads or writes.",
  'timeout-outside-runner-range':
    "SET LOCAL lock_timeout / statement_timeout (or set_config(..., true)) to a value the runner would refuse for MIGRATE_LOCK_TIMEOUT / MIGRATE_STATEMENT_TIMEOUT (0 switches the guard off; above 1min / 6h defeats it). Use a value in the runner's range.",
  'drop-in-schema':
    'DROP TABLE or DROP COLUMN of something the drizzle schema (shared/database/src/schema.ts) still has: the backend built from it queries it and fails from the moment the migration commits. Remove it from schema.ts and deploy that first; drop it in a later migration.',
  'file-not-in-journal':
    'A .sql file in the migrations folder that nothing applies: with no journal entry (journal layout), or not the migration.sql of a <timestamp>_<name> folder (drizzle-kit 1.0 folders). The runner, --status and drizzle never apply it. Add it with drizzle-kit generate or delete it.',
  'allow-marker-invalid':
    'A `-- migrate-lint allow <rule-id>: <justification>` marker with an unknown rule id or no justification.',
  'allow-marker-unused':
    'A `-- migrate-lint allow` marker that does not sit directly above a statement breaking that rule.',
  'parse-error': 'PostgreSQL cannot parse the file.',
} as const;

export type RuleId = keyof typeof RULES;

/**
 * Rules about locking or rewriting an existing table: with stats.json they are an error only
 * when the table is big, a note otherwise, and their message states the table's size.
 */
export const LOCK_RULES: ReadonlySet<RuleId> = new Set<RuleId>([
  'index-not-concurrent',
  'unique-constraint-without-index',
  'add-column-volatile-default',
  'alter-column-type',
  'constraint-not-valid',
  'validate-in-same-migration',
  'set-not-null-without-check',
  'generated-column-needs-timeout',
  'drop-index-not-concurrent',
  'reindex-not-concurrent',
  'vacuum-full-or-cluster',
  'lock-timeout-not-raised',
]);

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}
