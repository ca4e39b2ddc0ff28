import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@wxyc/database';
import { lintSource, loadParser, newHistory, RULES, schemaTables, type RuleId } from '@wxyc/migration-lint';

beforeAll(() => loadParser());

// The project's drizzle schema, as the CLI reads it (drop-in-schema).
const drizzle = { schema: schemaTables(schema) };
const problems = (sql: string) =>
  lintSource('m.sql', sql, newHistory(), undefined, drizzle).findings.map((f) => `${f.line}:${f.rule}`);
const rulesOf = (sql: string) => lintSource('m.sql', sql, newHistory(), undefined, drizzle).findings.map((f) => f.rule);

// Each rule: [rule, a migration that breaks it, the safe way to write it].
const cases: [RuleId, string, string][] = [
  ['dml-with-ddl', 'ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 1;', 'ALTER TABLE t ADD COLUMN c int;'],
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
  ['alter-column-type', 'ALTER TABLE t ALTER COLUMN a TYPE bigint;', 'ALTER TABLE t ADD COLUMN a_big bigint;'],
  ['transaction-control', 'BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;', 'ALTER TABLE t ADD COLUMN c int;'],
  [
    'constraint-not-valid',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id);',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;',
  ],
  [
    'validate-in-same-migration',
    'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_u_fk;',
    "SET LOCAL lock_timeout = '1min';\nALTER TABLE t VALIDATE CONSTRAINT t_u_fk;",
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
  [
    'session-setting',
    'SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN c int;',
    "SET LOCAL lock_timeout = '500ms';\nALTER TABLE t ADD COLUMN c int;",
  ],
  [
    'drop-index-not-concurrent',
    'DROP INDEX t_a_idx;',
    '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS t_a_idx;',
  ],
  [
    'reindex-not-concurrent',
    'REINDEX INDEX t_a_idx;',
    '-- migrate:no-transaction\nREINDEX INDEX CONCURRENTLY t_a_idx;',
  ],
  ['vacuum-full-or-cluster', 'VACUUM FULL t;', 'ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01);'],
  [
    'domain-change-scans',
    'ALTER DOMAIN wxyc_schema.play_count ADD CONSTRAINT play_count_nonneg CHECK (VALUE >= 0);',
    'ALTER DOMAIN wxyc_schema.play_count ADD CONSTRAINT play_count_nonneg CHECK (VALUE >= 0) NOT VALID;',
  ],
  [
    'rename-in-use',
    'ALTER TABLE t RENAME COLUMN a TO b;',
    'CREATE TABLE n (a int);\nALTER TABLE n RENAME COLUMN a TO b;',
  ],
  [
    'drop-in-schema',
    'ALTER TABLE wxyc_schema.flowsheet DROP COLUMN artist_name;',
    'ALTER TABLE wxyc_schema.library DROP COLUMN notes;',
  ],
  [
    'lock-timeout-not-raised',
    'ALTER TABLE t VALIDATE CONSTRAINT t_c;',
    "SET LOCAL lock_timeout = '1min';\nALTER TABLE t VALIDATE CONSTRAINT t_c;",
  ],
  [
    'lock-timeout-raised-for-blocking-lock',
    "SET LOCAL lock_timeout = '30s';\nALTER TABLE t ADD COLUMN c int;",
    "SET LOCAL lock_timeout = '30s';\nALTER TABLE t VALIDATE CONSTRAINT t_c;",
  ],
  [
    'timeout-outside-runner-range',
    "SET LOCAL lock_timeout = '0';\nALTER TABLE t ADD COLUMN c int;",
    "SET LOCAL statement_timeout = '30min';\nALTER TABLE t ADD COLUMN c int;",
  ],
  // The USING INDEX pass needs the index from an earlier file: see 'unique-constraint-without-index' below.
  [
    'unique-constraint-without-index',
    'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);',
    'CREATE TABLE n (a int);\nALTER TABLE n ADD CONSTRAINT n_a_key UNIQUE (a);',
  ],
];

describe('every rule has a failing and a passing example', () => {
  it('covers every rule id', () => {
    // file-not-in-journal is about a folder, not a file's SQL: cli.test.ts has its two cases.
    expect([...cases.map((c) => c[0]), 'file-not-in-journal'].sort()).toEqual(Object.keys(RULES).sort());
  });

  it('lists every rule id in the docs/migrations.md rule table', () => {
    const docs = readFileSync(new URL('../../../docs/migrations.md', import.meta.url), 'utf8');
    // A row of the table: the id in its first cell, however the columns are padded.
    const listed = (id: string) => new RegExp(`^\\| \`${id}\` +\\|`, 'm').test(docs);
    expect(Object.keys(RULES).filter((id) => !listed(id))).toEqual([]);
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
    expect(
      rulesOf(
        'ALTER TABLE t ADD COLUMN c int;\nMERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET c = 1;',
      ),
    ).toEqual(['dml-with-ddl']);
    expect(rulesOf('CREATE TABLE k (id int);\nINSERT INTO k VALUES (1), (2);')).toEqual([]);
    expect(rulesOf('UPDATE t SET c = 1 WHERE id = 3;')).toEqual([]);
  });

  it('treats tables created earlier in the same file as new', () => {
    expect(
      rulesOf(
        'CREATE TABLE "s"."k" (id int, u int);\nCREATE INDEX k_u ON "s"."k" (u);\nALTER TABLE "s"."k" ALTER COLUMN u TYPE bigint, ADD CONSTRAINT k_fk FOREIGN KEY (u) REFERENCES u (id), ADD COLUMN z int NOT NULL;',
      ),
    ).toEqual([]);
    // Same name in another schema is another table.
    expect(rulesOf('CREATE TABLE a.k (id int);\nCREATE INDEX k_id ON b.k (id);')).toEqual(['index-not-concurrent']);
  });

  it('knows serial and identity columns have volatile defaults, and now() does not', () => {
    expect(rulesOf('ALTER TABLE t ADD COLUMN n bigserial;')).toEqual(['add-column-volatile-default']);
    expect(rulesOf('ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;')).toEqual([
      'add-column-volatile-default',
    ]);
    expect(rulesOf("ALTER TABLE t ADD COLUMN d date DEFAULT now() NOT NULL, ADD COLUMN e text DEFAULT 'x';")).toEqual(
      [],
    );
  });

  it('remembers a CHECK (c IS NOT NULL) validated in an earlier file', () => {
    const history = newHistory();
    expect(
      lintSource('1.sql', 'ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;', history).findings,
    ).toEqual([]);
    expect(
      lintSource('2.sql', 'ALTER TABLE t ALTER COLUMN c SET NOT NULL;', history).findings.map((f) => f.rule),
    ).toEqual(['set-not-null-without-check']);
    // Validating (SHARE UPDATE EXCLUSIVE) and then SET NOT NULL in one migration is fine: no scan under ACCESS EXCLUSIVE
    // (and the SET NOT NULL keeps the runner's lock_timeout: lock-timeout-not-raised does not ask to raise it).
    expect(
      lintSource(
        '3.sql',
        'ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;',
        history,
      ).findings,
    ).toEqual([]);
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
    expect(r.waived.map((f) => `${f.line}:${f.rule}:${f.reason}`)).toEqual([
      '3:index-not-concurrent:marker: t has a dozen rows',
    ]);
    expect(rulesOf('-- migrate-lint allow index-not-concurrent\nCREATE INDEX a ON t (a);').sort()).toEqual([
      'allow-marker-invalid',
      'index-not-concurrent',
    ]);
  });

  it('names the line of the statement, past leading comments and breakpoints', () => {
    const sql =
      '-- header\n\nALTER TABLE t ADD COLUMN c int;--> statement-breakpoint\n-- why\nCREATE INDEX i ON t (c);';
    const [f] = lintSource('x.sql', sql).findings;
    expect(f).toMatchObject({ file: 'x.sql', line: 5, rule: 'index-not-concurrent' });
    expect(f!.message).toBe('CREATE INDEX i on existing table public.t without CONCURRENTLY');
  });

  it('waives only the listed rules of a historical exception', () => {
    const sql =
      'ALTER TABLE auth_user ADD COLUMN x boolean;\nUPDATE auth_user SET x = true;\nCREATE INDEX i ON auth_user (x);';
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
    expect(f).toMatchObject({
      rule: 'drop-index-not-concurrent',
      message: expect.stringContaining('(on wxyc_schema.t)'),
    });
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

describe('unique-constraint-without-index', () => {
  const history = () => {
    const h = newHistory();
    lintSource('0.sql', 'CREATE TABLE wxyc_schema.t (id int, a int, b int NOT NULL);', h);
    lintSource(
      '1.sql',
      '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON wxyc_schema.t (a);',
      h,
    );
    lintSource(
      '2.sql',
      '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_b_idx ON wxyc_schema.t (b);',
      h,
    );
    lintSource(
      '3.sql',
      '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON wxyc_schema.t (id);',
      h,
    );
    return h;
  };
  const rules = (sql: string) => lintSource('4.sql', sql, history()).findings.map((f) => f.rule);

  it('passes UNIQUE and PRIMARY KEY USING INDEX over a unique index built CONCURRENTLY earlier', () => {
    expect(rules('ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;')).toEqual([]);
    expect(rules('ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_b_idx;')).toEqual([]);
  });

  it('fails a build under ACCESS EXCLUSIVE: UNIQUE, PRIMARY KEY, EXCLUDE, ADD COLUMN ... UNIQUE', () => {
    expect(rules('ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_a_key UNIQUE (a);')).toEqual([
      'unique-constraint-without-index',
    ]);
    expect(rules('ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);')).toEqual([
      'unique-constraint-without-index',
    ]);
    expect(rules('ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_x EXCLUDE USING gist (a WITH =);')).toEqual([
      'unique-constraint-without-index',
    ]);
    expect(rules('ALTER TABLE wxyc_schema.t ADD COLUMN c int UNIQUE;')).toEqual(['unique-constraint-without-index']);
  });

  it('fails USING INDEX of an index no migration built as unique on that table', () => {
    const [f] = lintSource(
      '4.sql',
      'ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_id_key UNIQUE USING INDEX t_id_idx;',
      history(),
    ).findings;
    expect(f).toMatchObject({
      rule: 'unique-constraint-without-index',
      message: expect.stringContaining('no earlier migration creates a unique index t_id_idx on wxyc_schema.t'),
    });
    expect(rules('ALTER TABLE wxyc_schema.u ADD CONSTRAINT u_a_key UNIQUE USING INDEX t_a_idx;')).toEqual([
      'unique-constraint-without-index',
    ]);
  });

  it('fails PRIMARY KEY USING INDEX over a nullable column (PostgreSQL scans for SET NOT NULL), passes once a CHECK was validated', () => {
    const [f] = lintSource(
      '4.sql',
      'ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_idx;',
      history(),
    ).findings;
    expect(f).toMatchObject({
      rule: 'set-not-null-without-check',
      message: expect.stringContaining('a may be NULL, so PostgreSQL runs SET NOT NULL and scans wxyc_schema.t'),
    });
    const h = history();
    lintSource('4.sql', 'ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;', h);
    lintSource('5.sql', 'ALTER TABLE wxyc_schema.t VALIDATE CONSTRAINT t_a_nn;', h);
    expect(
      lintSource('6.sql', 'ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_idx;', h)
        .findings,
    ).toEqual([]);
    // DROP NOT NULL forgets what CREATE TABLE declared.
    lintSource('7.sql', 'ALTER TABLE wxyc_schema.t ALTER COLUMN b DROP NOT NULL;', h);
    expect(
      lintSource(
        '8.sql',
        'ALTER TABLE wxyc_schema.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_b_idx;',
        h,
      ).findings.map((x) => x.rule),
    ).toEqual(['set-not-null-without-check']);
  });
});

describe("constraint-not-valid on a foreign key: both tables' sizes count", () => {
  const stats = (flowsheet: number, shows: number) => ({
    stats: {
      exportedAt: '',
      source: 'test',
      tables: {
        'wxyc_schema.flowsheet': { reltuples: flowsheet, relpages: 10 },
        'wxyc_schema.shows': { reltuples: shows, relpages: 10 },
      },
    },
  });
  const fk =
    'ALTER TABLE wxyc_schema.flowsheet ADD CONSTRAINT f_show_fk FOREIGN KEY (show_id) REFERENCES wxyc_schema.shows (id);';
  const lint = (sql: string, s: ReturnType<typeof stats>) =>
    lintSource('m.sql', sql, newHistory(), undefined, s).findings;

  it('is an error when the referenced table is big, even if the referencing one is small, and names both sizes', () => {
    const [f] = lint(fk, stats(1000, 2_600_000));
    expect(f).toMatchObject({ rule: 'constraint-not-valid', severity: 'error' });
    expect(f!.message).toContain('REFERENCES wxyc_schema.shows without NOT VALID');
    expect(f!.message).toContain(
      '[wxyc_schema.flowsheet: 1,000 rows, 10 pages; wxyc_schema.shows: 2,600,000 rows, 10 pages; big from 100,000 rows]',
    );
    expect(lint(fk, stats(2_600_000, 1000))[0]).toMatchObject({ severity: 'error' });
  });

  it('is a note when both are small, an error when the referenced one is not in stats.json, and nothing with NOT VALID', () => {
    expect(lint(fk, stats(1000, 2000))[0]).toMatchObject({ rule: 'constraint-not-valid', severity: 'note' });
    const unknown = lint(fk.replace('wxyc_schema.shows', 'wxyc_schema.artists'), stats(1000, 2000))[0];
    expect(unknown).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('wxyc_schema.artists: size unknown (not in stats.json)'),
    });
    expect(lint(fk.replace(';', ' NOT VALID;'), stats(2_600_000, 2_600_000))).toEqual([]);
  });
});

describe("drop-in-schema (the schema read with drizzle-orm's getTableConfig)", () => {
  it("reads the schema's tables and columns as PostgreSQL names them", () => {
    const tables = schemaTables(schema);
    expect(tables.get('wxyc_schema.flowsheet')).toContain('artist_name');
    expect(tables.get('public.auth_user')).toContain('email_verified');
    expect(tables.has('wxyc_schema.library')).toBe(true);
  });

  it('fails DROP TABLE of a schema table, in a DO block too, with the table named', () => {
    const [f] = lintSource(
      'm.sql',
      'DROP TABLE IF EXISTS "wxyc_schema"."flowsheet";',
      newHistory(),
      undefined,
      drizzle,
    ).findings;
    expect(f).toMatchObject({
      rule: 'drop-in-schema',
      message: expect.stringContaining('DROP TABLE wxyc_schema.flowsheet: the drizzle schema'),
    });
    expect(rulesOf("DO $$ BEGIN EXECUTE 'ALTER TABLE wxyc_schema.shows DROP COLUMN show_name'; END $$;")).toEqual([
      'drop-in-schema',
    ]);
    expect(rulesOf('DROP TABLE public.auth_user;')).toEqual(['drop-in-schema']);
  });

  it('passes a drop of what the schema no longer has, and a drop whose name the file creates again (0061)', () => {
    expect(rulesOf('DROP TABLE IF EXISTS wxyc_schema.legacy_notes;')).toEqual([]);
    const sql = [
      'ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN "search_doc";',
      '-- migrate-lint allow rename-in-use: the switch of 0061',
      'ALTER TABLE "wxyc_schema"."flowsheet" RENAME COLUMN "search_doc_new" TO "search_doc";',
    ].join('\n');
    expect(rulesOf(sql)).toEqual([]);
  });

  it('is not checked without a schema (a library caller that passes none)', () => {
    expect(lintSource('m.sql', 'ALTER TABLE wxyc_schema.flowsheet DROP COLUMN artist_name;').findings).toEqual([]);
  });
});

describe('lock_timeout: what the runner allows (MIGRATE_LOCK_TIMEOUT 2s, SET LOCAL in the file)', () => {
  it('asks a lone VALIDATE to raise lock_timeout (size-aware: a note on a small table)', () => {
    const stats = (n: number) => ({
      stats: { exportedAt: '', source: 't', tables: { 'wxyc_schema.shows': { reltuples: n, relpages: 1 } } },
    });
    const sql = 'ALTER TABLE wxyc_schema.shows VALIDATE CONSTRAINT shows_fk;';
    const [big] = lintSource('m.sql', sql, newHistory(), undefined, stats(150_000)).findings;
    expect(big).toMatchObject({
      rule: 'lock-timeout-not-raised',
      severity: 'error',
      message: expect.stringContaining("runner's lock_timeout (2s)"),
    });
    expect(lintSource('m.sql', sql, newHistory(), undefined, stats(500)).findings[0]).toMatchObject({
      severity: 'note',
    });
    // set_config(..., true) raises it as well; lowering it does not.
    expect(rulesOf("SELECT set_config('lock_timeout', '1min', true);\n" + sql)).toEqual([]);
    expect(rulesOf("SET LOCAL lock_timeout = '500ms';\n" + sql)).toEqual(['lock-timeout-not-raised']);
    expect(rulesOf("SET LOCAL lock_timeout = '1min';\nSET LOCAL lock_timeout TO DEFAULT;\n" + sql)).toEqual([
      'lock-timeout-not-raised',
    ]);
  });

  it('leaves VALIDATE at the default beside a write-blocking statement, and refuses raising it there, before or after', () => {
    expect(rulesOf('ALTER TABLE t VALIDATE CONSTRAINT t_c;\nALTER TABLE t ADD COLUMN d int;')).toEqual([]);
    expect(
      problems(
        "SET LOCAL lock_timeout = '1min';\nALTER TABLE t VALIDATE CONSTRAINT c;\nALTER TABLE t ADD COLUMN d int;",
      ),
    ).toEqual(['3:lock-timeout-raised-for-blocking-lock']);
    expect(
      problems(
        "ALTER TABLE u ADD COLUMN x int;\nSET LOCAL lock_timeout = '1min';\nALTER TABLE t VALIDATE CONSTRAINT c;",
      ),
    ).toEqual(['1:lock-timeout-raised-for-blocking-lock']);
    // A foreign key locks the referenced table too; a table created in the file is seen by no one.
    expect(
      rulesOf(
        "SET LOCAL lock_timeout = '10s';\nCREATE TABLE n (u int);\nALTER TABLE n ADD CONSTRAINT n_u_fk FOREIGN KEY (u) REFERENCES u (id);",
      ),
    ).toEqual(['lock-timeout-raised-for-blocking-lock']);
    expect(rulesOf("SET LOCAL lock_timeout = '10s';\nCREATE TABLE n (u int);\nCREATE INDEX n_u ON n (u);")).toEqual([]);
    expect(rulesOf("SET LOCAL lock_timeout = '10s';\nLOCK TABLE t IN ROW EXCLUSIVE MODE;")).toEqual([]);
    expect(rulesOf("SET LOCAL lock_timeout = '10s';\nLOCK TABLE t;")).toEqual([
      'lock-timeout-raised-for-blocking-lock',
    ]);
  });

  it("refuses a SET LOCAL timeout the runner would refuse as MIGRATE_*, with the runner's range", () => {
    const [f] = lintSource('m.sql', 'SET LOCAL lock_timeout = 0;').findings;
    expect(f).toMatchObject({
      rule: 'timeout-outside-runner-range',
      message: expect.stringContaining('between 10ms and 1min'),
    });
    expect(rulesOf("SET LOCAL lock_timeout = '5min';")).toEqual(['timeout-outside-runner-range']);
    expect(rulesOf("SET LOCAL statement_timeout = '0';")).toEqual(['timeout-outside-runner-range']);
    expect(rulesOf("SET LOCAL statement_timeout = '7h';")).toEqual(['timeout-outside-runner-range']);
    expect(rulesOf("SELECT set_config('statement_timeout', '0', true);")).toEqual(['timeout-outside-runner-range']);
    expect(rulesOf("SET LOCAL statement_timeout = '6h';\nSET LOCAL lock_timeout = 60000;")).toEqual([]);
  });
});
