// A tick's verification slice, started before the tick's sync: the slice's first checksum (the
// count and sum of the whole slice, one query per side, the bulk of its cost: every row hashed by
// MySQL) runs on a second MySQL connection while syncTables reads and writes, so a clean slice
// (the usual case) adds to the tick only what the sync does not overlap. Read-only, and nothing
// it answers is acted upon until verifyTables runs after the sync: a slice that differs is
// grouped by range and narrowed with fresh queries on both sides, so a row the sync rewrote
// meanwhile can at most make the slice differ spuriously.
import { connectLegacy, type LegacyRow, type LegacySource } from './mysql-source.js';
import { pgSpanSum } from './mirror-pg.js';
import type { EtlContext } from './run-etl.js';
import type { SyncedTable } from './sync-tables.js';
import type { TableCursor } from './table-cursor.js';
import { tickSlice, type RangeSum, type SlicePlan } from './verify-plan.js';

/** A slice whose whole-slice checksums are under way. */
export interface SliceAhead extends SlicePlan {
  /** LegacyQueries.spanSum's answer (one row). */
  legacy: Promise<LegacyRow[]>;
  pg: Promise<RangeSum>;
}

/**
 * Runs `body` with each mirrored table's slice (slicePlan: from the cursor `start`)
 * being checksummed meanwhile, on its own MySQL connection (closed after `body`); pass what it
 * gets to verifyTables as `ahead`. With the budget 0, `body` runs alone.
 */
export async function withVerifyAhead<K extends string, C extends Record<K, TableCursor>, T>(
  ctx: EtlContext,
  tables: SyncedTable<K, C>[],
  start: C,
  body: (ahead: Partial<Record<K, SliceAhead>>) => Promise<T>,
): Promise<T> {
  const budget = ctx.config.verifyRowsPerTick;
  if (budget === 0 || !ctx.config.legacyUrl) return body({});
  const source = await connectLegacy(ctx.config.legacyUrl);
  const ahead: Partial<Record<K, SliceAhead>> = {};
  // One query at a time on the connection, in table order: chained, each table's awaited later.
  let chain: Promise<unknown> = Promise.resolve();
  for (const t of tables) {
    if (!t.mirror) continue;
    const plan = tickSlice(start[t.key], budget, ctx.config);
    if (plan.span.upTo <= plan.span.after) continue;
    const s = plan.span;
    const legacy = chain.then(() => source.query(t.queries.spanSum, [s.after, s.upTo]));
    chain = legacy.catch(() => undefined);
    const pg = pgSpanSum(ctx.sql, t.mirror, s);
    // Awaited by verifyTables, or never if the sync fails first: not an unhandled rejection then.
    legacy.catch(() => undefined);
    pg.catch(() => undefined);
    ahead[t.key] = { ...plan, legacy, pg };
  }
  try {
    return await body(ahead);
  } finally {
    await chain;
    await closeQuietly(source);
  }
}

async function closeQuietly(source: LegacySource): Promise<void> {
  try {
    await source.close();
  } catch {
    // The connection is already gone (the failure that ended the tick said so).
  }
}
