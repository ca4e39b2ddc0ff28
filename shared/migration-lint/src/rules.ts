/** Every rule the linter applies, with what it protects against (docs/migrations.md lists them too). */
export const RULES = {
  'dml-with-ddl':
    'UPDATE, DELETE, MERGE or INSERT ... SELECT in a migration that also has DDL (DO blocks included): the rewrite runs while the DDL holds its lock. Bulk data changes belong in jobs/backfills/.',
  'index-not-concurrent':
    'CREATE INDEX on an existing table without CONCURRENTLY (or ADD CONSTRAINT UNIQUE/PRIMARY KEY without USING INDEX) blocks every write to it for the whole build. Use CREATE INDEX CONCURRENTLY in a -- migrate:no-transaction file.',
  'add-column-volatile-default':
    'ADD COLUMN on an existing table with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()/serial/identity, ...) rewrites the table under ACCESS EXCLUSIVE. Add it nullable, backfill in a job, then set the default.',
  'add-column-not-null-without-default':
    'ADD COLUMN ... NOT NULL without a DEFAULT on an existing table fails on any row, or needs a rewrite. Add it nullable, backfill, then SET NOT NULL behind a validated CHECK.',
  'alter-column-type':
    'ALTER COLUMN ... TYPE on an existing table rewrites it (and its indexes) under ACCESS EXCLUSIVE. Add a new column, backfill it in a job, switch over.',
  'transaction-control':
    'BEGIN/COMMIT/ROLLBACK in a migration: the runner runs each migration in its own transaction (or none, with -- migrate:no-transaction); an explicit one breaks that.',
  'constraint-not-valid':
    'ADD CONSTRAINT FOREIGN KEY or CHECK on an existing table without NOT VALID scans the table under lock. Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE only).',
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
  'allow-marker-invalid':
    'A `-- migrate-lint allow <rule-id>: <justification>` marker with an unknown rule id or no justification.',
  'allow-marker-unused': 'A `-- migrate-lint allow` marker that does not sit directly above a statement breaking that rule.',
  'parse-error': 'PostgreSQL cannot parse the file.',
} as const;

export type RuleId = keyof typeof RULES;

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}
