import type { Row } from 'postgres';
import { describeError, EXIT, JobError } from '@wxyc/job-runtime';
import type { ColumnType } from './columns.js';
import type { ApiLimiter } from './limiter.js';
import type { LookupBackfillDefinition } from './lookup-definition.js';
import { resolveRows, type LookupCache } from './lookup-resolve.js';
import { readPending, VERSION, type ReadScope, type ResolvedRow } from './lookup-sql.js';
import { commitResolved } from './lookup-write.js';
import { parkedLookup, type ParkedRow } from './parking.js';
import { recoveryFor } from './policy.js';
import { afterConnectionLost } from './reconnect.js';
import type { BatchSession } from './session.js';
import { loadState, type RunState } from './state.js';
import type { ProgressTicker } from './ticker.js';
import type { PauseContext } from './walk.js';
import type { LookupRunOptions } from './lookup-runner.js';

export interface LookupCtx {
  def: LookupBackfillDefinition;
  o: LookupRunOptions;
  c: BatchSession;
  cols: readonly ColumnType[];
  limiter: ApiLimiter;
  cache: LookupCache;
  ticker: ProgressTicker;
  /** Time paused on an open circuit, against maxBreakerPauseMs. */
  paused: { ms: number; stopped: boolean };
  /** The pause conditions (pauseWhen, replica lag), checked before each batch as the SQL walk does. */
  gate: PauseContext;
  backoffMs: number;
  maxReconnects: number;
}

/** The state after a batch: handled rows counted, failed lookups and bad writes parked, unwritten ones left for a revisit. */
function after(s: RunState, handled: readonly Row[], written: number[], parked: ParkedRow[], cursor: number | null, listed: boolean): RunState {
  const done = new Set([...written, ...parked.map((p) => p.id)]);
  const ids = handled.map((r) => Number(r.backfill_id));
  const missed = ids.filter((id) => !done.has(id));
  const touched = new Set(ids);
  return {
    ...s,
    cursor: cursor ?? s.cursor,
    rowsProcessed: s.rowsProcessed + written.length + parked.length,
    rowsWritten: s.rowsWritten + written.length,
    skipped: [...(listed ? s.skipped.filter((id) => !touched.has(id)) : s.skipped), ...missed],
    parked: [...(listed ? s.parked.filter((p) => !touched.has(p.id)) : s.parked), ...parked],
    batches: s.batches + 1,
  };
}

/** One batch: read (autocommit), resolve with nothing open, write what is still as read. Returns whether the circuit is open. */
async function batch(x: LookupCtx, state: { s: RunState }, scope: ReadScope): Promise<{ read: number; open: boolean }> {
  const rows = await readPending(x.c.c, x.def, scope);
  if (rows.length === 0) return { read: 0, open: false };
  const resolved = await resolveRows(x.def, rows, x.limiter, x.cache);
  // rows from the first one the open circuit kept from its lookup onward wait for the next batch
  const cut = resolved.findIndex((e) => e.r.kind === 'open');
  const handled = cut < 0 ? resolved : resolved.slice(0, cut);
  const toWrite: ResolvedRow[] = [];
  const failed: ParkedRow[] = [];
  for (const { row, r } of handled) {
    const id = Number(row.backfill_id);
    if (r.kind === 'value') toWrite.push({ id, version: row[VERSION] as string, values: r.values });
    else if (r.kind === 'failed') failed.push(parkedLookup(id, r.message, new Date(Date.now() + r.retryAfterMs)));
  }
  const listed = 'ids' in scope;
  const cursor = listed || handled.length === 0 ? null : Number(handled.at(-1)!.row.backfill_id);
  const rowsOf = handled.map((e) => e.row);
  const { state: next } = await commitResolved(
    x.c.c, x.def, x.cols, toWrite,
    (w) => after(state.s, rowsOf, w.written, [...failed, ...w.parked], cursor, listed),
    x.o.lockTimeoutMs ?? 2_000,
  );
  const rowsDone = next.rowsProcessed - state.s.rowsProcessed;
  state.s = next;
  x.ticker.tick(next, rowsDone);
  return { read: rows.length, open: cut >= 0 };
}

/** The line when the connection keeps dying: how often, the last error, where the state stands. */
export function lostTooOften(name: string, times: number, err: unknown, s: RunState): JobError {
  return new JobError(
    `backfill ${name}: the database connection was lost ${times} times in a row (last: ${describeError(err)}); ` +
      `stopped at the last committed batch (after key ${s.cursor}, ${s.rowsWritten} rows written); run again to resume`,
    EXIT.UNREACHABLE,
  );
}

/**
 * A batch that survives a lost connection: reopen the session (reserve, lock, prepare), take the
 * state as last committed (a commit whose answer was lost counts), and read again from there; the
 * rows resolved but not written are simply read again, their lookups answered by the in-run cache.
 * Up to maxReconnects losses in a row (a replayed FATAL after reconnecting is one of them).
 */
export async function resilientBatch(x: LookupCtx, state: { s: RunState }, scope: (s: RunState) => ReadScope) {
  for (let lost = 0; ; ) {
    try {
      if (!x.c.alive) {
        await x.c.reopen();
        const saved = await loadState(x.c.c, x.def.name);
        if (saved) state.s = { ...saved, status: 'running' };
      }
      return await batch(x, state, scope(state.s));
    } catch (err) {
      if (x.o.signal?.aborted || recoveryFor(err) !== 'reconnect') throw err;
      if (++lost > x.maxReconnects) {
        x.c.drop({ dead: true });
        throw lostTooOften(x.def.name, lost, err, state.s);
      }
      await afterConnectionLost(x.c, x.o.log, err, x.backoffMs, x.o.signal);
    }
  }
}
