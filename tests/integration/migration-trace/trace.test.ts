// migrate:trace against a real server: what each statement locks, rewrites and scans, measured
// on a throwaway database at 0052 seeded with @wxyc/fixtures (small: 3,000 rows), then scaled.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { loadMigrations, MIGRATIONS_DIR, splitStatements, type Migration, type TableStats } from '@wxyc/database';
import { formatTraceReport, traceMigrations, type TraceReport } from '@wxyc/migration-trace';

const history = loadMigrations(MIGRATIONS_DIR);
const base = history.findIndex((m) => m.tag === '0052_comment_bins') + 1;

function migration(tag: string, content: string): Migration {
  return {
    idx: 900,
    tag,
    when: 9_000_000_000_000,
    file: `${tag}.sql`,
    hash: createHash('sha256').update(content).digest('hex'),
    content,
    statements: splitStatements(content),
    noTransaction: content.startsWith('-- migrate:no-transaction'),
  };
}

const stats: TableStats = {
  exportedAt: '2026-12-01T00:00:00Z',
  source: 'test',
  tables: {
    'wxyc_schema.flowsheet': { reltuples: 2_600_000, relpages: 77_738 },
    'wxyc_schema.artists': { reltuples: 400_000, relpages: 5_000 },
    'wxyc_schema.bins': { reltuples: 40, relpages: 1 },
  },
};

const trace = (
  pending: Migration[],
  extra: Partial<Parameters<typeof traceMigrations>[0]> = {},
): Promise<TraceReport> =>
  traceMigrations({
    migrations: [...history.slice(0, base), ...pending],
    baseCount: base,
    rows: 3000,
    stats,
    serverUrl: inject('pgAdminUrl'),
    ...extra,
  });

const statement = (r: TraceReport, tag: string, i = 0) => r.migrations.find((m) => m.tag === tag)!.statements[i]!;

describe('migrate:trace', () => {
  it('sees ACCESS EXCLUSIVE without a rewrite for a nullable ADD COLUMN, and passes it', async () => {
    const r = await trace([migration('0900_add', 'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "note" text;')]);
    const s = statement(r, '0900_add');
    expect(s.effects.locks).toContainEqual(
      expect.objectContaining({ relation: 'wxyc_schema.flowsheet', mode: 'AccessExclusiveLock', created: false }),
    );
    expect(s.effects.rewrites).toEqual([]);
    expect(s.effects.scans).toEqual([]);
    expect(s.holds).toEqual([expect.objectContaining({ table: 'wxyc_schema.flowsheet', blocksReads: true })]);
    expect(r.tables['wxyc_schema.flowsheet']).toEqual({ traced: 3000, production: 2_600_000 });
    expect(r.failures).toEqual([]);
    expect(r.error).toBeUndefined();
  });

  it('catches a type change that rewrites the table and its indexes, and fails it over the budget at production size', async () => {
    const r = await trace([
      migration('0900_type', 'ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "play_order" TYPE bigint;'),
    ]);
    const s = statement(r, '0900_type');
    expect(s.effects.rewrites.map((w) => w.relation)).toEqual(
      expect.arrayContaining(['wxyc_schema.flowsheet', 'wxyc_schema.flowsheet_pkey']),
    );
    expect(s.scale).toBeCloseTo(2_600_000 / 3000, 0);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(
      /^0900_type line 1: ACCESS EXCLUSIVE on wxyc_schema\.flowsheet \(3,000 rows traced, 2,600,000 in production\) held .* over the 2\.0 s write-lock budget$/,
    );
  });

  it('tells a validating scan (CHECK, SET NOT NULL) from a NOT VALID constraint that scans nothing', async () => {
    const r = await trace([
      migration(
        '0900_not_valid',
        'ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "po_nn" CHECK ("play_order" IS NOT NULL) NOT VALID;',
      ),
      migration(
        '0901_check',
        'ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "po_pos" CHECK ("play_order" >= 0);',
      ),
      migration('0902_not_null', 'ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "record_label" SET NOT NULL;'),
    ]);
    expect(statement(r, '0900_not_valid').effects.scans).toEqual([]);
    expect(statement(r, '0901_check').effects.scans).toEqual([
      { table: 'wxyc_schema.flowsheet', reason: 'validating constraint po_pos' },
    ]);
    expect(statement(r, '0902_not_null').effects.scans).toEqual([
      { table: 'wxyc_schema.flowsheet', reason: 'NOT NULL check of record_label' },
    ]);
    expect(statement(r, '0902_not_null').effects.rewrites).toEqual([]);
  });

  it('samples the locks of a no-transaction CREATE INDEX CONCURRENTLY, which blocks no writes', async () => {
    // Its locks are only seen by sampling while it runs: enough rows that the build lasts many
    // sample periods even on a loaded machine (at 3,000 rows it could end before the first sample).
    const r = await trace(
      [
        migration(
          '0900_cic',
          '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "flowsheet_label_idx" ON "wxyc_schema"."flowsheet" ("record_label");',
        ),
      ],
      { rows: 60_000 },
    );
    const s = statement(r, '0900_cic');
    expect(s.effects.locks).toContainEqual(
      expect.objectContaining({ relation: 'wxyc_schema.flowsheet', mode: 'ShareUpdateExclusiveLock' }),
    );
    expect(s.holds).toEqual([]);
    expect(r.failures).toEqual([]);
  });

  it('measures a migration --repeat times on the same data: all runs but the last roll back, the fastest is reported', async () => {
    // Were a run not rolled back, the next would fail ("column z already exists"); were the last not
    // committed, 0902 would fail ("column z does not exist"). The no-transaction 0901 runs once.
    const r = await trace(
      [
        migration(
          '0900_z',
          'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "z" int;--> statement-breakpoint\nALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "play_order" TYPE bigint;',
        ),
        migration(
          '0901_cic',
          '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "flowsheet_z_idx" ON "wxyc_schema"."flowsheet" ("z");',
        ),
        migration('0902_z', 'ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN "z";'),
      ],
      { repeat: 3 },
    );
    expect(r.error).toBeUndefined();
    const [z, cic, drop] = r.migrations;
    expect(z!.repeats).toHaveLength(3);
    const totals = z!.repeats!.map((x) => x.totalMs);
    const reported = z!.statements.reduce((a, st) => a + st.durationMs, 0) + z!.commitMs;
    expect(reported).toBeCloseTo(Math.min(...totals), 6);
    expect(
      z!.repeats!.every((x) =>
        x.holds.some((h) => h.mode === 'AccessExclusiveLock' && h.table === 'wxyc_schema.flowsheet'),
      ),
    ).toBe(true);
    expect(cic!.repeats).toBeUndefined();
    expect(drop!.repeats).toHaveLength(3);
    expect(formatTraceReport(r)).toContainEqual(
      expect.stringMatching(
        /^ {2}measured 3 times \(all but the last rolled back\), the fastest shown: [\d.]+ m?s, [\d.]+ m?s, [\d.]+ m?s$/,
      ),
    );
  });

  it('cannot vouch for a rewrite of a big table that the seed leaves empty', async () => {
    const r = await trace([
      migration('0900_artists', 'ALTER TABLE "wxyc_schema"."artists" ALTER COLUMN "code_artist_number" TYPE integer;'),
    ]);
    expect(statement(r, '0900_artists').effects.rewrites.length).toBeGreaterThan(0);
    expect(r.failures[0]).toContain(
      'wxyc_schema.artists has 0 rows in the trace and 400,000 in production: the per-row work cannot be scaled',
    );
  });

  it('stops at a migration that fails in the trace, naming file and line, and leaves no database behind', async () => {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    try {
      const r = await trace([
        migration(
          '0900_guard',
          'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "x" int;--> statement-breakpoint\nDO $$ BEGIN RAISE EXCEPTION \'backfill first\'; END $$;',
        ),
        migration('0901_after', 'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "y" int;'),
      ]);
      expect(r.error).toEqual({ tag: '0900_guard', line: 2, message: 'backfill first' });
      expect(r.migrations.map((m) => m.tag)).toEqual([]);
      const left = await admin`SELECT datname FROM pg_database WHERE datname LIKE 'wxyc\\_trace\\_%'`;
      expect(left).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('traces the superseded first 0054 (bench/fixtures): it rewrites flowsheet under ACCESS EXCLUSIVE until COMMIT', async () => {
    const full = loadMigrations(MIGRATIONS_DIR);
    const superseded = readFileSync(
      new URL('../../../bench/fixtures/0054-superseded-rewrite.sql', import.meta.url),
      'utf8',
    );
    const fill = migration(
      '0899_fill',
      `UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Test' WHERE entry_type = 'track';`,
    );
    const old54 = { ...migration('0900_superseded_0054', superseded), when: 9_000_000_000_001 };
    const r = await trace([full.find((m) => m.tag.startsWith('0053'))!, fill, old54]);
    expect(r.error).toBeUndefined();
    const m = r.migrations.find((x) => x.tag === '0900_superseded_0054')!;
    const holds = m.statements.flatMap((s) => s.holds.map((h) => ({ line: s.line, mode: h.mode, table: h.table })));
    expect(holds).toEqual([{ line: 22, mode: 'AccessExclusiveLock', table: 'wxyc_schema.flowsheet' }]);
    expect(m.statements.find((s) => s.line === 24)!.effects.rewrites.map((w) => w.relation)).toContain(
      'wxyc_schema.flowsheet',
    );
    expect(
      r.failures.some((f) => f.startsWith('0900_superseded_0054 line 22: ACCESS EXCLUSIVE on wxyc_schema.flowsheet')),
    ).toBe(true);
  });
});
