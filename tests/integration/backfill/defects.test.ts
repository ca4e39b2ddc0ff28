// The three defects of the plan's draft loop, each with data that triggers it.
import { beforeAll, describe, expect, it } from 'vitest';
import { batchStatement, columnTypes, runBackfill } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { flowsheetDjName } from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { addShowWithTracks, captureLog, nullTrackRows, wrongNames, type PlanNode } from './helpers.js';

const db = useTestDatabase('empty');

/** Rows of flowsheet that the plan's scans looked at (returned plus filtered out). */
function flowsheetRowsExamined(n: PlanNode): number {
  const scan = n['Relation Name'] === 'flowsheet' && n['Node Type'] !== 'ModifyTable';
  const own = scan ? (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'] : 0;
  return own + (n.Plans ?? []).reduce((sum, c) => sum + flowsheetRowsExamined(c), 0);
}
const run = (log = captureLog()) => runBackfill(flowsheetDjName, { sql: db.sql, log, batchSize: 100, targetMs: 300 });

describe('flowsheet-dj-name backfill: the draft loop defects', () => {
  beforeAll(async () => {
    await migrateWithDrizzle(db.url, { upTo: '0053' });
  });

  it('1. rows whose name resolves to NULL are classified once and the run ends', async () => {
    await addShowWithTracks(db.sql, null, 250); // a show with no DJ account and no legacy name: 3 batches of NULLs
    await addShowWithTracks(db.sql, 'DJ Heron', 120);
    const log = captureLog();
    const s = await run(log);
    expect(s.rowsWritten).toBe(120);
    expect(s.rowsUnresolved).toBe(250);
    expect(s.unresolved).toEqual([
      { reason: 'show without handle', count: 250, sample: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ]);
    // each row handled once: processed equals what was pending, not a multiple of it
    expect(s.rowsProcessed).toBe(370);
    expect(s.batches).toBeLessThanOrEqual(4);
    expect(await wrongNames(db.sql)).toBe(0);
  });

  it('2. a batch made only of rows without a (known) show does not end the run early', async () => {
    await db.sql`TRUNCATE wxyc_schema.flowsheet, backfill.runs`;
    await addShowWithTracks(db.sql, null, 150, null); // show_id NULL
    // show_id pointing at no show: legacy rows loaded without the FK check
    await db.sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await addShowWithTracks(tx as never, null, 150, 999_999);
    });
    await addShowWithTracks(db.sql, 'DJ Kestrel', 300);
    const s = await run();
    expect(s.rowsWritten).toBe(300);
    expect(s.unresolved.map((g) => [g.reason, g.count])).toEqual([
      ['no show', 150],
      ['unknown show', 150],
    ]);
    expect(await nullTrackRows(db.sql)).toBe(300);
    expect(await wrongNames(db.sql)).toBe(0);
  });

  it('3. a batch late in the walk costs what an early one does (keyset cursor, no walk over filled rows)', async () => {
    await db.sql`TRUNCATE wxyc_schema.flowsheet`;
    const showId = await addShowWithTracks(db.sql, 'DJ Plover', 20_000);
    await db.sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
    const [row] = await db.sql<{ first: number }[]>`SELECT min(id)::int AS first FROM wxyc_schema.flowsheet`;
    const first = row!.first;
    const conn = await db.sql.reserve();
    try {
      await flowsheetDjName.prepare!(conn);
      const writePlan = {
        columns: await columnTypes(conn, flowsheetDjName.table, flowsheetDjName.columns),
        fallback: null,
      };
      const buffers = async (q: string | null, lo: number) => {
        await conn`BEGIN`;
        try {
          const plan = q
            ? await conn.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q}`)
            : await conn`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${batchStatement(conn, flowsheetDjName, { lo, hi: lo + 1000 }, writePlan)}`;
          const root = (plan[0]!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
          return {
            blocks: root['Shared Hit Blocks'] + root['Shared Read Blocks'],
            examined: flowsheetRowsExamined(root),
            text: JSON.stringify(plan),
          };
        } finally {
          await conn`ROLLBACK`;
        }
      };
      const draft = `SELECT id FROM wxyc_schema.flowsheet WHERE dj_name IS NULL AND entry_type = 'track' ORDER BY id LIMIT 1000`;
      const early = await buffers(null, first - 1);
      const draftEarly = await buffers(draft, 0);
      // the first 16,000 rows are done, as late in a run
      await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Plover' WHERE id < ${first + 16_000}`;
      await db.sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
      const late = await buffers(null, first + 16_000 - 1);
      const draftLate = await buffers(draft, 0);

      expect(early.text).toContain('flowsheet_pkey');
      expect(late.text).toContain('flowsheet_pkey');
      expect(late.blocks).toBeLessThan(early.blocks * 1.5);
      // each of the three reads of flowsheet (lock, update, skipped check) covers only the 1000 keys of the range
      expect(early.examined).toBeLessThanOrEqual(3 * 1000);
      expect(late.examined).toBeLessThanOrEqual(3 * 1000);
      // the measure is sensitive: the draft's "first 1000 pending rows" reads past every filled row
      expect(draftEarly.examined).toBeGreaterThanOrEqual(1000);
      expect(draftLate.examined).toBeGreaterThan(16_000);
    } finally {
      conn.release();
    }
    expect(showId).toBeGreaterThan(0);
  });
});
