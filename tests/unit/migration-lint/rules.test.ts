import { beforeAll, describe, expect, it } from 'vitest';
import { lintSource, loadParser, newHistory, RULES, type RuleId } from '@wxyc/migration-lint';

beforeAll(() => loadParser());

const problems = (sql: string) => lintSource('m.sql', sql).findings.map((f) => `${f.line}:${f.rule}`);
const rulesOf = (sql: string) => lintSource('m.sql', sql).findings.map((f) => f.rule);

// Each rule: [rule, a migration that breaks it, the safe way to write it].
const cases: [RuleId, string, string][] = [
  [
    'dml-with-ddl',
    'ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 1;',
    'ALTER TABLE t ADD COLUMN c int;',
  ],
  [
    'index-not-concurrent',
    'CREATE INDEX t_a_idx ON t (a);',
    '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);',
  ],
  [
    'add-column-volatile-default',
    'ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    'ALTER TABLE t ADD COLUMN created timestamptz DEFAULT now() NOT NULL;',
  ],
  [
    'add-column-not-null-without-default',
    'ALTER TABLE t ADD COLUMN flag boolean NOT NULL;',
    'ALTER TABLE t ADD COLUMN flag boolean DEFAULT false NOT NULL;',
  ],
  [
    'alter-column-type',
    'ALTER TABLE t ALTER COLUMN a TYPE bigint;',
    'ALTER TABLE t ADD COLUMN a_big bigint;',
  ],
  [
    'transaction-control',
    'BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;',
    'ALTER TABLE t ADD COLUMN c int;',
  ],
  [
    'constraint-not-valid',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id);',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;',
  ],
  [
    'validate-in-same-migration',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_u_fk;',
    'ALTER TABLE t VALIDATE CONSTRAINT t_u_fk;',
  ],
  [
    'set-not-null-without-check',
    'ALTER TABLE t ALTER COLUMN c SET NOT NULL;',
    // On an existing table the CHECK comes from earlier migrations: see 'remembers a CHECK' below.
    'CREATE TABLE t (c int);\nALTER TABLE t ALTER COLUMN c SET NOT NULL;',
  ],
  [
    'concurrently-needs-no-transaction',
    'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);',
    '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);',
  ],
  [
    'no-transaction-one-statement',
    '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a ON t (a);\nCREATE INDEX CONCURRENTLY b ON t (b);',
    '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a ON t (a);',
  ],
  [
    'generated-column-needs-timeout',
    "ALTER TABLE t ADD COLUMN doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(a, ''))) STORED;",
    "SET LOCAL statement_timeout = '30min';\nALTER TABLE t ADD COLUMN doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(a, ''))) STORED;",
  ],
  [
    'dynamic-sql-in-do',
    "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN ' || 'c int'; END $$;",
    "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN c int'; END $$;",
  ],
  [
    'allow-marker-invalid',
    '-- migrate-lint allow no-such-rule: because\nALTER TABLE t ADD COLUMN c int;',
    '-- migrate-lint allow alter-column-type: t has 12 rows, a rewrite takes milliseconds\nALTER TABLE t ALTER COLUMN a TYPE bigint;',
  ],
  [
    'allow-marker-unused',
    '-- migrate-lint allow alter-column-type: t is tiny\nALTER TABLE t ADD COLUMN c int;',
    '-- migrate-lint allow alter-column-type: t is tiny\nALTER TABLE t ALTER COLUMN a TYPE bigint;',
  ],
  ['parse-error', 'ALTER TABEL t ADD COLUMN c int;', 'ALTER TABLE t ADD COLUMN c int;'],
  ['session-setting', 'SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN c int;', "SET LOCAL lock_timeout = '10s';\nALTER TABLE t ADD COLUMN c int;"],
  [
    'drop-index-not-concurrent',
    'DROP INDEX t_a_idx;',
    '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS t_a_idx;',
  ],
  ['reindex-not-concurrent', 'REINDEX INDEX t_a_idx;', '-- migrate:no-transaction\nREINDEX INDEX CONCURRENTLY t_a_idx;'],
  ['vacuum-full-or-cluster', 'VACUUM FULL t;', 'ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01);'],
  [
    'domain-change-scans',
    'ALTER DOMAIN wxyc_schema.play_count ADD CONSTRAINT play_count_nonneg CHECK (VALUE >= 0);',
    'ALTER DOMAIN wxyc_schema.play_count ADD CONSTRAINT play_count_nonneg CHECK (VALUE >= 0) NOT VALID;',
  ],
  ['rename-in-use', 'ALTER TABLE t RENAME COLUMN a TO b;', 'CREATE TABLE n (a int);\nALTER TABLE n RENAME COLUMN a TO b;'],
];

describe('every rule has a failing and a passing example', () => {
  it('covers every rule id', () => {
    // file-not-in-journal is about a folder, not a file's SQL: cli.test.ts has its two cases.
    expect([...cases.map((c) => c[0]), 'file-not-in-journal'].sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(cases)('%s', (rule, bad, good) => {
    expect(rulesOf(bad)).toContain(rule);
    expect(rulesOf(good)).toEqual([]);
  });
});

describe('details', () => {
  it('finds DML inside a DO block, at its line in the file', () => {
    const sql = [
      'ALTER TABLE t ADD COLUMN c int;',
      'DO $$',
      'BEGIN',
      '  IF EXISTS (SELECT 1 FROM t) THEN',
      '    UPDATE t SET c = 1;',
      "    EXECUTE 'DELETE FROM t WHERE c IS NULL';",
      '  END IF;',
      'END',
      '$$;',
    ].join('\n');
    expect(problems(sql)).toEqual(['5:dml-with-ddl', '6:dml-with-ddl']);
  });

  it('reads INSERT ... SELECT and MERGE as DML but not INSERT ... VALUES, and allows DML with no DDL beside it', () => {
    expect(rulesOf('CREATE TABLE k (id int);\nINSERT INTO k SELECT id FROM t;')).toEqual(['dml-with-ddl']);
    expect(rulesOf('ALTER TABLE t ADD COLUMN c int;\nMERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET c = 1;')).toEqual(['dml-with-ddl']);
    expect(rulesOf("CREATE TABLE k (id int);\nINSERT INTO k VALUES (1), (2);")).toEqual([]);
    expect(rulesOf('UPDATE t SET c = 1 WHERE id = 3;')).toEqual([]);
  });

  it('treats tables created earlier in the same file as new', () => {
    expect(rulesOf('CREATE TABLE "s"."k" (id int, u int);\nCREATE INDEX k_u ON "s"."k" (u);\nALTER TABLE "s"."k" ALTER COLUMN u TYPE bigint, ADD CONSTRAINT k_fk FOREIGN KEY (u) REFERENCES u (id), ADD COLUMN z int NOT NULL;')).toEqual([]);
    // Same name in another schema is another table.
    expect(rulesOf('CREATE TABLE a.k (id int);\nCREATE INDEX k_id ON b.k (id);')).toEqual(['index-not-concurrent']);
  });

  it('knows serial and identity columns have volatile defaults, and now() does not', () => {
    expect(rulesOf('ALTER TABLE t ADD COLUMN n bigserial;')).toEqual(['add-column-volatile-default']);
    expect(rulesOf('ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;')).toEqual(['add-column-volatile-default']);
    expect(rulesOf("ALTER TABLE t ADD COLUMN d date DEFAULT now() NOT NULL, ADD COLUMN e text DEFAULT 'x';")).toEqual([]);
  });

  it('reads ADD CONSTRAINT UNIQUE/PRIMARY KEY on an existing table as an index build, unless USING INDEX', () => {
    expect(rulesOf('ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);')).toEqual(['index-not-concurrent']);
    expect(rulesOf('ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);')).toEqual(['index-not-concurrent']);
    expect(rulesOf('ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;')).toEqual([]);
  });

  it('remembers a CHECK (c IS NOT NULL) validated in an earlier file', () => {
    const history = newHistory();
    expect(lintSource('1.sql', 'ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;', history).findings).toEqual([]);
    expect(lintSource('2.sql', 'ALTER TABLE t ALTER COLUMN c SET NOT NULL;', history).findings.map((f) => f.rule)).toEqual(['set-not-null-without-check']);
    // Validating (SHARE UPDATE EXCLUSIVE) and then SET NOT NULL in one migration is fine: no scan under ACCESS EXCLUSIVE.
    expect(lintSource('3.sql', 'ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;', history).findings).toEqual([]);
  });

  it('a marker waives only its rule on the statement directly below it', () => {
    const sql = [
      'SELECT 1;',
      '-- migrate-lint allow index-not-concurrent: t has a dozen rows',
      'CREATE INDEX a ON t (a);',
      'CREATE INDEX b ON t (b);',
    ].join('\n');
    const r = lintSource('m.sql', sql);
    expect(r.findings.map((f) => `${f.line}:${f.rule}`)).toEqual(['4:index-not-concurrent']);
    expect(r.waived.map((f) => `${f.line}:${f.rule}:${f.reason}`)).toEqual(['3:index-not-concurrent:marker: t has a dozen rows']);
    expect(rulesOf('-- migrate-lint allow index-not-concurrent\nCREATE INDEX a ON t (a);').sort()).toEqual(['allow-marker-invalid', 'index-not-concurrent']);
  });

  it('names the line of the statement, past leading comments and breakpoints', () => {
    const sql = '-- header\n\nALTER TABLE t ADD COLUMN c int;--> statement-breakpoint\n-- why\nCREATE INDEX i ON t (c);';
    const [f] = lintSource('x.sql', sql).findings;
    expect(f).toMatchObject({ file: 'x.sql', line: 5, rule: 'index-not-concurrent' });
    expect(f!.message).toBe('CREATE INDEX i on existing table public.t without CONCURRENTLY');
  });

  it('waives only the listed rules of a historical exception', () => {
    const sql = 'ALTER TABLE auth_user ADD COLUMN x boolean;\nUPDATE auth_user SET x = true;\nCREATE INDEX i ON auth_user (x);';
    const r = lintSource('0043.sql', sql, newHistory(), '0043_add-has-completed-onboarding');
    expect(r.findings.map((f) => f.rule)).toEqual(['index-not-concurrent']);
    expect(r.waived.map((f) => f.rule)).toEqual(['dml-with-ddl']);
    expect(r.waived[0]!.reason).toMatch(/^historical exception: applied in production before the DDL-only rule/);
  });
});

describe('session-setting', () => {
  it.each([
    ['SET statement_timeout = 0;'],
    ["SET search_path = 'public';"],
    ['SET SESSION idle_in_transaction_session_timeout = 0;'],
    ['RESET lock_timeout;'],
    ['RESET ALL;'],
    ["SELECT set_config('lock_timeout', '0', false);"],
    ["DO $$ BEGIN PERFORM set_config('lock_timeout', '0', false); END $$;"],
    ['DO $$ BEGIN SET lock_timeout = 0; END $$;'],
  ])('flags %s', (sql) => {
    expect(rulesOf(sql)).toContain('session-setting');
  });

  it.each([
    ["SET LOCAL lock_timeout = '5s';"],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;'],
    ["SELECT set_config('lock_timeout', '5s', true);"],
  ])('allows %s (ends with the transaction)', (sql) => {
    expect(rulesOf(sql)).toEqual([]);
  });
});

describe('drop-index-not-concurrent and reindex-not-concurrent', () => {
  it('knows the table of an index from the CREATE INDEX in an earlier file', () => {
    const history = newHistory();
    lintSource('a.sql', 'CREATE TABLE wxyc_schema.t (a int);\nCREATE INDEX t_a_idx ON wxyc_schema.t (a);', history);
    const [f] = lintSource('b.sql', 'DROP INDEX wxyc_schema.t_a_idx;', history).findings;
    expect(f).toMatchObject({ rule: 'drop-index-not-concurrent', message: expect.stringContaining('(on wxyc_schema.t)') });
  });

  it('lets a file drop an index on a table it created itself', () => {
    expect(rulesOf('CREATE TABLE n (a int);\nCREATE INDEX n_a_idx ON n (a);\nDROP INDEX n_a_idx;')).toEqual([]);
  });

  it('flags REINDEX TABLE and CLUSTER', () => {
    expect(rulesOf('REINDEX TABLE t;')).toEqual(['reindex-not-concurrent']);
    expect(rulesOf('CLUSTER t USING t_pkey;')).toEqual(['vacuum-full-or-cluster']);
  });
});

it('domain-change-scans: SET NOT NULL on a domain scans too', () => {
  expect(rulesOf('ALTER DOMAIN d SET NOT NULL;')).toEqual(['domain-change-scans']);
  expect(rulesOf('ALTER DOMAIN d DROP NOT NULL;')).toEqual([]);
});

describe('rename-in-use', () => {
  it('flags renaming an existing table, not a plain ALTER TABLE', () => {
    expect(rulesOf('ALTER TABLE t RENAME TO t_old;')).toEqual(['rename-in-use']);
    expect(rulesOf('ALTER TABLE t ADD COLUMN c int;')).toEqual([]);
  });
});
