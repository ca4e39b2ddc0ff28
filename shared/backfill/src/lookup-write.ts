import type { ReservedSql } from 'postgres';
import type { ColumnType } from './columns.js';
import type { LookupBackfillDefinition } from './lookup-definition.js';
import { writeResolved, type ResolvedRow } from './lookup-sql.js';
import { parsePgIntArray } from './batch-sql.js';
import { parkedRow, type ParkedRow } from './parking.js';
import { connectionLost, isDataError } from './policy.js';
import { saveState, type RunState } from './state.js';

export interface WriteOutcome {
  written: number[];
  /** Rows whose write failed on a data error (22xxx, 23xxx): parked with the error. */
  parked: ParkedRow[];
}

async function writeAll(c: ReservedSql, def: LookupBackfillDefinition, cols: readonly ColumnType[], rows: readonly ResolvedRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const [r] = await writeResolved(c, def, cols, rows);
  return parsePgIntArray(r!.written as string);
}

/** After a data error: each row under its own savepoint, so one bad value parks one row. */
async function writeEach(c: ReservedSql, def: LookupBackfillDefinition, cols: readonly ColumnType[], rows: readonly ResolvedRow[]): Promise<WriteOutcome> {
  const out: WriteOutcome = { written: [], parked: [] };
  for (const row of rows) {
    await c`SAVEPOINT backfill_row`;
    try {
      out.written.push(...(await writeAll(c, def, cols, [row])));
    } catch (err) {
      if (!isDataError(err)) throw err;
      await c`ROLLBACK TO SAVEPOINT backfill_row`;
      out.parked.push(parkedRow(row.id, err));
    }
    await c`RELEASE SAVEPOINT backfill_row`;
  }
  return out;
}

/**
 * The short transaction of a lookup batch: the resolved rows (optimistically re-checked) and the
 * next state commit together. `next` gets the outcome (written count, parked rows) before saving.
 */
export async function commitResolved(
  c: ReservedSql,
  def: LookupBackfillDefinition,
  cols: readonly ColumnType[],
  rows: readonly ResolvedRow[],
  next: (o: WriteOutcome) => RunState,
  lockTimeoutMs: number,
): Promise<{ outcome: WriteOutcome; state: RunState }> {
  await c`BEGIN`;
  try {
    await c`SELECT set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`;
    let outcome: WriteOutcome;
    await c`SAVEPOINT backfill_batch`;
    try {
      outcome = { written: await writeAll(c, def, cols, rows), parked: [] };
    } catch (err) {
      if (!isDataError(err)) throw err;
      await c`ROLLBACK TO SAVEPOINT backfill_batch`;
      outcome = await writeEach(c, def, cols, rows);
    }
    const state = next(outcome);
    await saveState(c, state);
    await c`COMMIT`;
    return { outcome, state };
  } catch (err) {
    // nothing is sent on a connection that is gone (postgres-js would hang or crash writing to it)
    if (!connectionLost(err)) await c`ROLLBACK`.catch(() => undefined);
    throw err;
  }
}
