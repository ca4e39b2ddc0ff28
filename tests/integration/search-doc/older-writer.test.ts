// Issue 27, item 3: a writer that never sets dj_name (a backend release from before the column, a
// script) held the switch off for ever: each of its track rows on a nameable show had dj_name NULL,
// so the switch's dj_name guard refused on every deploy while it wrote (measured: 23, then 52 rows).
// The whole online sequence (0053 .. the switch) with the real runner and the real backfill
// definitions, while such a writer inserts and updates all along, plus inserts at fixed points:
// before the first deploy, during each backfill (from its batch hook) and between deploys.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill, type BackfillDefinition } from '@wxyc/backfill';
import {
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_SQL,
  MIGRATIONS_DIR,
  djNameOfRowSql,
  migrateWithDrizzle,
  searchDocSql,
} from '@wxyc/database';
import { seedProdShape, startFlowsheetWriter, type FlowsheetWriter } from '@wxyc/fixtures';
import type { Logger } from '@wxyc/job-runtime';
import { flowsheetDjName, guardCount } from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { flowsheetSearchDoc } from '../../../jobs/backfills/flowsheet-search-doc-backfill/src/definition.js';
import { useTestDatabase } from '../../support/test-database.js';
import { runRunner, waitFor } from '../../support/migrate-runner.js';

const ROWS = 3000;
const db = useTestDatabase('empty');
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const DJ_GUARD = 'flowsheet.dj_name backfill incomplete';
const SEARCH_DOC_GUARD = 'flowsheet.search_doc_new backfill incomplete';

const deploy = () =>
  runRunner(db.url, { dir: MIGRATIONS_DIR, env: { MIGRATE_RETRY_BASE_MS: '200', MIGRATE_RETRY_CAP_MS: '400' } });
const count = async (where: string) =>
  Number(
    (await db.sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM wxyc_schema.flowsheet f WHERE ${where}`))[0]!.n,
  );
/** The rule's name for row f, as the guard and the backfill compute it. */
const ruleName = djNameOfRowSql('f');

/** A show the rule names and one it cannot (no handle anywhere). */
let named: { id: number; name: string };
let nameless: number;

/** What a script or an older backend does: track rows with no dj_name, on a nameable show and on a nameless one. */
async function olderInsert(label: string, n: number): Promise<void> {
  await db.sql`
    INSERT INTO wxyc_schema.flowsheet (show_id, artist_name, track_title, play_order)
    SELECT CASE WHEN g = 1 THEN ${nameless}::int ELSE ${named.id}::int END, ${`Script ${label}`}, 'Script Track ' || g, g
    FROM generate_series(1, ${n}::int) g`;
}

/** A backfill run that inserts rows as the older writer after its first batch, while it walks. */
async function backfillWithInserts(def: BackfillDefinition, label: string) {
  const pool = postgres(db.url, { max: 3, onnotice: () => {} });
  let inserted = false;
  try {
    const summary = await runBackfill(def, {
      sql: pool,
      log: quiet,
      batchSize: 500,
      targetMs: 200,
      onBatch: async () => {
        if (inserted) return;
        inserted = true;
        await olderInsert(label, 25);
      },
    });
    return { summary, inserted };
  } finally {
    await pool.end();
  }
}

describe('the online switch converges while a writer never sets dj_name', () => {
  let writerSql: postgres.Sql;
  let writer: FlowsheetWriter;
  afterAll(async () => {
    await writer?.stop();
    await writerSql?.end();
  });

  beforeAll(async () => {
    await migrateWithDrizzle(db.url, { upTo: '0053' });
    await seedProdShape(db.sql, { rows: ROWS });
    const shows = await db.sql.unsafe<{ id: number; name: string | null }[]>(
      `SELECT s.id, ${DJ_NAME_SQL} AS name FROM ${DJ_NAME_SOURCE_SQL} ORDER BY s.id`,
    );
    const first = shows.find((s) => s.name !== null)!;
    named = { id: first.id, name: first.name! };
    nameless = shows.find((s) => s.name === null)!.id;
    writerSql = postgres(db.url, { max: 1, onnotice: () => {} });
    writer = startFlowsheetWriter(writerSql, { intervalMs: 10, maxId: ROWS, showId: named.id, setsDjName: false });
    await olderInsert('before deploy 1', 20);
  }, 60_000);

  it('deploy 1 stops at the switch: rows written before it are the dj_name backfill’s', async () => {
    writer.take();
    const r = await deploy();
    const w = writer.take();
    console.log(`[older-writer] writer during deploy 1: ${w.writes} writes, longest wait ${w.maxMs.toFixed(1)} ms`);
    expect(r.code, r.output).toBe(11);
    expect(r.output).toContain(DJ_GUARD);
    expect(r.output).toMatch(/applied \d{4}_flowsheet-search-doc-index/);
    expect(r.output).toMatch(/applied \d{4}_flowsheet-dj-name-fill/);
  }, 60_000);

  it('the dj_name backfill, with rows written during it, leaves nothing for the guard', async () => {
    const { summary, inserted } = await backfillWithInserts(flowsheetDjName, 'during dj_name backfill');
    expect(inserted).toBe(true);
    expect(summary.rowsWritten).toBeGreaterThan(0);
    expect(await guardCount(db.sql)).toBe(0);
  }, 60_000);

  it('deploy 2, after more rows between deploys, passes the dj_name guard and waits only for search_doc', async () => {
    const mark = (await db.sql<{ id: number }[]>`SELECT max(id)::int AS id FROM wxyc_schema.flowsheet`)[0]!.id;
    await olderInsert('between deploys', 30);
    await waitFor(
      async () => (await count(`f.id > ${mark} AND f.track_title LIKE 'Writer Track %'`)) >= 5,
      30_000,
      'the writer',
    );
    const r = await deploy();
    expect(r.output).not.toContain(DJ_GUARD);
    expect(r.code, r.output).toBe(11);
    expect(r.output).toContain(SEARCH_DOC_GUARD);
  }, 60_000);

  it('the search_doc backfill (rows written during it), then deploy 3 applies the switch while the writer goes on', async () => {
    const { inserted } = await backfillWithInserts(flowsheetSearchDoc, 'during search_doc backfill');
    expect(inserted).toBe(true);
    await olderInsert('before deploy 3', 10);
    const r = await deploy();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/applied \d{4}_flowsheet-search-doc-switch/);
  }, 60_000);

  it('every track row has the name the rule gives, in search_doc too; the writer never failed', async () => {
    const mark = (await db.sql<{ id: number }[]>`SELECT max(id)::int AS id FROM wxyc_schema.flowsheet`)[0]!.id;
    await waitFor(
      async () => (await count(`f.id > ${mark} AND f.track_title LIKE 'Writer Track %'`)) >= 3,
      30_000,
      'the writer after the switch',
    );
    const last = await writer.stop();
    expect(last.errors).toEqual([]);
    // No track row the rule names is left NULL, and none differs from the rule (the trigger survived the switch).
    expect(await count(`f.entry_type = 'track' AND f.dj_name IS DISTINCT FROM ${ruleName}`)).toBe(0);
    const writerRows = `f.track_title LIKE 'Writer Track %' OR f.artist_name LIKE 'Script %'`;
    expect(await count(`(${writerRows}) AND f.show_id = ${named.id} AND f.dj_name IS NULL`)).toBe(0);
    expect(await count(`(${writerRows}) AND f.show_id = ${nameless} AND f.dj_name IS NOT NULL`)).toBe(0);
    expect(await count(`(${writerRows}) AND f.show_id = ${nameless}`)).toBe(5);
    // search_doc was computed from the row with its name (the fill trigger fires first).
    expect(await count(`f.search_doc IS DISTINCT FROM (${searchDocSql('f')})`)).toBe(0);
    const [hits] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet
      WHERE show_id = ${named.id} AND search_doc @@ plainto_tsquery('simple', ${named.name}) AND artist_name LIKE 'Script %'`;
    expect(hits!.n).toBe(19 + 24 + 29 + 24 + 9); // every script row on the named show (one per insert went to the nameless show)
  }, 60_000);
});
