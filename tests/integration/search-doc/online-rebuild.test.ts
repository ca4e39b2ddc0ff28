// Issue 18: search_doc rebuilt online (0054 expand, the backfills, 0059 index, 0060 dj_name fill, 0061 switch) on a
// production-shaped flowsheet (@wxyc/fixtures) while a writer inserts and updates rows all along,
// with the real runner and the real backfill definitions.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackfill } from '@wxyc/backfill';
import { MIGRATIONS_DIR, loadMigrations, migrateWithDrizzle, readTableStats, searchDocSql } from '@wxyc/database';
import { seedProdShape, startFlowsheetWriter, type WriterWindow } from '@wxyc/fixtures';
import type { Logger } from '@wxyc/job-runtime';
import { lintDirectory, loadParser } from '@wxyc/migration-lint';
import { blocksWrites, traceMigrations } from '@wxyc/migration-trace';
import { flowsheetDjName } from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { flowsheetSearchDoc } from '../../../jobs/backfills/flowsheet-search-doc-backfill/src/definition.js';
import { useTestDatabase } from '../../support/test-database.js';
import { runRunner } from '../../support/migrate-runner.js';

const ROWS = 3000;
const NEW_TAGS = [
  '0054_flowsheet-search-doc-expand',
  '0059_flowsheet-search-doc-index',
  '0060_flowsheet-dj-name-fill',
  '0061_flowsheet-search-doc-switch',
];
const db = useTestDatabase('empty');
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const waits: Record<string, WriterWindow> = {};

const deploy = () =>
  runRunner(db.url, { dir: MIGRATIONS_DIR, env: { MIGRATE_RETRY_BASE_MS: '200', MIGRATE_RETRY_CAP_MS: '400' } });
const backfill = async (def: typeof flowsheetDjName) => {
  const pool = postgres(db.url, { max: 3, onnotice: () => {} });
  try {
    return await runBackfill(def, { sql: pool, log: quiet, batchSize: 500, targetMs: 200 });
  } finally {
    await pool.end();
  }
};
const count = async (where: string) =>
  Number(
    (await db.sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM wxyc_schema.flowsheet f WHERE ${where}`))[0]!.n,
  );

describe('search_doc rebuilt online while a DJ writes', () => {
  let writerSql: postgres.Sql;
  let writer: ReturnType<typeof startFlowsheetWriter>;
  afterAll(async () => {
    await writer?.stop();
    await writerSql?.end();
  });

  beforeAll(async () => {
    await migrateWithDrizzle(db.url, { upTo: '0053' });
    await seedProdShape(db.sql, { rows: ROWS });
    writerSql = postgres(db.url, { max: 1, onnotice: () => {} });
    writer = startFlowsheetWriter(writerSql, { intervalMs: 10, maxId: ROWS });
  }, 60_000);

  it('deploy 1 applies the expand (0054), 0055, 0056, the index (0059) and the dj_name fill (0060), then 0061 refuses: the dj_name backfill is not done', async () => {
    const r = await deploy();
    waits['deploy 1 (0054-0060)'] = writer.take();
    expect(r.code, r.output).toBe(11);
    for (const tag of ['0054_', '0055_', '0056_', '0059_', '0060_'])
      expect(r.output).toMatch(new RegExp(`applied ${tag}`));
    expect(r.output).toContain(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0061',
    );
    // rolled back: the old generated column and the new one are both still there
    expect(await count('f.search_doc IS NOT NULL AND f.search_doc_new IS NULL')).toBeGreaterThan(0);
    // the trigger fills search_doc_new of every row the writer inserts or updates from now on
    const last = (await db.sql<{ last: number }[]>`SELECT max(id)::int AS last FROM wxyc_schema.flowsheet`)[0]!.last;
    await new Promise((r) => setTimeout(r, 300));
    expect(await count(`f.id > ${last} AND f.artist_name LIKE 'Writer Artist %'`)).toBeGreaterThan(0);
    expect(await count(`f.id > ${last} AND f.search_doc_new IS DISTINCT FROM (${searchDocSql('f')})`)).toBe(0);
  }, 60_000);

  it('after the dj_name backfill 0061 still refuses, naming the search_doc backfill and the count', async () => {
    const s = await backfill(flowsheetDjName);
    waits['dj_name backfill'] = writer.take();
    expect(s.rowsWritten).toBeGreaterThan(0);
    const left = await count('f.search_doc_new IS NULL');
    expect(left).toBeGreaterThan(0);
    const r = await deploy();
    expect(r.code, r.output).toBe(11);
    expect(r.output).toContain(
      'flowsheet.search_doc_new backfill incomplete; run jobs/backfills/flowsheet-search-doc-backfill before applying 0061',
    );
    expect(r.output).toMatch(/detail: \d+ rows have search_doc_new IS NULL/);
  }, 60_000);

  it('the search_doc backfill fills every row with a typed tsvector write, and a second run has nothing to do', async () => {
    const s = await backfill(flowsheetSearchDoc);
    waits['search_doc backfill'] = writer.take();
    expect(s.rowsWritten).toBeGreaterThan(0);
    expect(s.rowsParked).toBe(0);
    expect(await count('f.search_doc_new IS NULL')).toBe(0);
    const again = await backfill(flowsheetSearchDoc);
    expect(again.rowsWritten).toBe(0);
  }, 60_000);

  it('0061 waits out a long reader with its 500 ms lock_timeout (retried, writers never queue long), then switches', async () => {
    const blocker = await db.sql.reserve();
    await blocker`BEGIN`;
    await blocker`SELECT 1 FROM wxyc_schema.flowsheet LIMIT 1`; // ACCESS SHARE until ROLLBACK
    const deploying = deploy();
    await new Promise((r) => setTimeout(r, 1500));
    const whileBlocked = writer.take();
    waits['0061 retrying while a reader blocks it (1.5 s)'] = whileBlocked;
    await blocker`ROLLBACK`;
    blocker.release();
    const r = await deploying;
    waits['0061 switch, after the reader ended'] = writer.take();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/lock_timeout \(2s\) on attempt 1\/10|lock_timeout \(\S+\) on attempt 1\//);
    expect(r.output).toContain('applied 0061_flowsheet-search-doc-switch');
    // A write queued behind the switch's lock request waits at most its lock_timeout, then goes.
    expect(whileBlocked.writes).toBeGreaterThan(10);
    expect(whileBlocked.maxMs).toBeLessThan(1000);
  }, 60_000);

  it('afterwards search_doc equals the expression for every row, the GIN index is valid and used, the trigger owns the column', async () => {
    await writer.stop();
    expect(await count(`f.search_doc IS DISTINCT FROM (${searchDocSql('f')})`)).toBe(0);
    expect(await count('true')).toBeGreaterThan(ROWS);
    const cols = await db.sql<{ attname: string; attgenerated: string }[]>`
      SELECT attname, attgenerated FROM pg_attribute
      WHERE attrelid = 'wxyc_schema.flowsheet'::regclass AND attname LIKE 'search_doc%' AND NOT attisdropped`;
    expect(cols).toEqual([{ attname: 'search_doc', attgenerated: '' }]);
    const [idx] = await db.sql<{ valid: boolean; def: string }[]>`
      SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
      WHERE i.indexrelid = 'wxyc_schema.flowsheet_search_doc_idx'::regclass`;
    expect(idx).toEqual({
      valid: true,
      def: 'CREATE INDEX flowsheet_search_doc_idx ON wxyc_schema.flowsheet USING gin (search_doc)',
    });
    await db.sql`ANALYZE wxyc_schema.flowsheet`;
    const plan = JSON.stringify(
      await db.sql`EXPLAIN (FORMAT JSON) SELECT id FROM wxyc_schema.flowsheet WHERE search_doc @@ to_tsquery('simple', 'writer & 7')`,
    );
    expect(plan).toContain('"Index Name":"flowsheet_search_doc_idx"');
    // DJ names are searchable (weight B), and a writer's value is overwritten by the trigger.
    expect(await count(`f.search_doc @@ to_tsquery('simple', 'writer:B')`)).toBeGreaterThan(0);
    const [row] = await db.sql<{ id: number }[]>`
      INSERT INTO wxyc_schema.flowsheet (artist_name, play_order, dj_name, search_doc) VALUES ('Stereolab', 1, 'DJ Owl', 'bogus') RETURNING id`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET search_doc = 'bogus' WHERE id = ${row!.id}`;
    expect(
      await count(`f.id = ${row!.id} AND f.search_doc = (${searchDocSql('f')}) AND f.search_doc @@ 'owl'::tsquery`),
    ).toBe(1);
    // The writer never failed, and its longest wait over the whole sequence:
    const all = Object.values(waits);
    expect(all.flatMap((x) => x.errors)).toEqual([]);
    for (const [step, x] of Object.entries(waits)) {
      console.log(
        `[search-doc] writer during ${step}: ${x.writes} writes, longest wait ${x.maxMs.toFixed(1)} ms, p99 ${x.p99Ms.toFixed(1)} ms`,
      );
    }
    const longest = Math.max(...all.map((x) => x.maxMs));
    console.log(`[search-doc] writer's longest wait over the whole sequence: ${longest.toFixed(1)} ms`);
    // Table locks (the migrations): under a second. Row locks (the backfills): at most one batch,
    // which its statement_timeout bounds (5 s by default; the target is 200 ms here).
    const migrationSteps = Object.entries(waits).filter(([k]) => !k.includes('backfill'));
    expect(Math.max(...migrationSteps.map(([, x]) => x.maxMs))).toBeLessThan(1000);
    expect(longest).toBeLessThan(5000);
  }, 60_000);
});

describe('the new migrations lint clean and trace under the write-lock budget', () => {
  it('lint: no finding in 0054, 0059, 0060, 0061', async () => {
    await loadParser();
    const { findings } = lintDirectory(MIGRATIONS_DIR);
    expect(findings.filter((f) => NEW_TAGS.some((t) => f.file.includes(t)))).toEqual([]);
  });

  it('trace (the library) at production size: no step holds a write-blocking lock over the budget', async () => {
    const all = loadMigrations(MIGRATIONS_DIR);
    const base = all.findIndex((m) => m.tag.startsWith('0053')) + 1;
    const r = await traceMigrations({
      migrations: all,
      baseCount: base,
      rows: 3000,
      stats: readTableStats(),
      serverUrl: inject('pgAdminUrl'),
    });
    expect(r.error).toBeUndefined();
    expect(r.failures).toEqual([]);
    for (const tag of NEW_TAGS) {
      const m = r.migrations.find((x) => x.tag === tag)!;
      const holds = m.statements.flatMap((s) => s.holds).filter((h) => blocksWrites(h.mode));
      const worst = Math.max(0, ...holds.map((h) => h.productionMs));
      console.log(`[search-doc] trace ${tag}: longest write-blocking hold ~${worst.toFixed(0)} ms at production size`);
      expect(worst).toBeLessThan(r.budgetMs);
    }
    // the fill trigger and the switch are catalog only (SHARE ROW EXCLUSIVE, ACCESS EXCLUSIVE); the index build takes only SHARE UPDATE EXCLUSIVE
    for (const tag of NEW_TAGS.slice(2)) {
      const m = r.migrations.find((x) => x.tag === tag)!;
      expect(m.statements.flatMap((s) => s.effects.rewrites)).toEqual([]);
    }
  }, 120_000);
});
