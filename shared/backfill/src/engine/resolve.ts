import type { ReservedSql, Row } from 'postgres';
import { JobError, EXIT } from '@wxyc/job-runtime';
import { CircuitOpen, LookupFailed } from '../limiter.js';
import { keyId, keyIn, type KeySpec, type KeyText } from './keys.js';
import { outcome, type Outcome } from './outcome.js';
import type { ReadRow } from './read.js';
import type { ResolveContext, Task } from './task.js';
import { pendingOf } from './walked.js';

/** The default outcome of a SQL resolve's row: its columns written, or left as is under its reason. */
function defaultOutcome(keys: readonly string[], row: Row): Outcome {
  if (row.reason !== null && row.reason !== undefined) return outcome.skip(String(row.reason));
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!keys.includes(k) && k !== 'reason' && k !== '__key') set[k] = v;
  return outcome.write(set);
}

/**
 * A SQL resolve, in the write's transaction: the batch's rows locked (still pending; rows another
 * session holds skipped and revisited), the task's SELECT over them, one outcome per row it returns.
 */
export async function resolveInSql(
  c: ReservedSql,
  task: Task,
  spec: KeySpec,
  rows: readonly ReadRow[],
): Promise<Map<string, Outcome>> {
  const keys = spec.keyAt.map((i) => spec.cols[i]!.name);
  const lockable = !task.read;
  const batch = lockable
    ? c`SELECT t.* FROM ${c.unsafe(task.table)} t WHERE ${keyIn(
        c,
        spec,
        rows.map((r) => r.key),
      )} AND ${pendingOf(c, task)} FOR UPDATE OF t SKIP LOCKED`
    : c`SELECT t.* FROM (${c.unsafe(task.read!)}) t WHERE ${keyIn(
        c,
        spec,
        rows.map((r) => r.key),
      )}`;
  const keyText = keys.map((k) => c`r.${c.unsafe(k)}::text`).reduce((a, b) => c`${a}, ${b}`);
  const got = await c`
    WITH batch AS MATERIALIZED (${batch})
    SELECT r.*, json_build_array(${keyText}) AS __key FROM (${c.unsafe(task.resolve as string)}) r`;
  const out = new Map<string, Outcome>();
  for (const r of got) {
    const k = r.__key as KeyText;
    if (out.has(keyId(k)))
      throw new JobError(
        `${task.name}: the resolve returned key ${keyId(k)} twice (one row per batch row)`,
        EXIT.FAILED,
      );
    out.set(keyId(k), task.outcomeOf ? task.outcomeOf(r) : defaultOutcome(keys, r));
  }
  return out;
}

/**
 * A resolve of one row at a time, with at most `concurrency` in flight (the limiter bounds the
 * requests themselves): a lookup failing after its retries (timeout, 5xx, 429, network) leaves the
 * row pending; an open circuit or a shutdown holds it (and the rows after it) for the next batch.
 */
export function eachRow(fn: (row: Row, ctx: ResolveContext) => Promise<Outcome>, concurrency = 8) {
  return async (rows: Row[], ctx: ResolveContext): Promise<Outcome[]> => {
    const out: Outcome[] = new Array(rows.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) out[i] = await one(fn, rows[i]!, ctx);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
    return out;
  };
}

async function one(
  fn: (row: Row, ctx: ResolveContext) => Promise<Outcome>,
  row: Row,
  ctx: ResolveContext,
): Promise<Outcome> {
  if (ctx.signal.aborted) return held('shutdown');
  try {
    return await fn(row, ctx);
  } catch (err) {
    if (err instanceof CircuitOpen) return held('circuit open');
    if (ctx.signal.aborted) return held('shutdown');
    if (err instanceof LookupFailed) return outcome.pending(err.message);
    throw err;
  }
}

/** Pending, and the cursor stays before it: asked again in this run (breaker) or the next (shutdown). */
export const held = (reason: string): Outcome => ({ kind: 'pending', label: 'transient', reason, hold: true });
