import type { Row } from 'postgres';
import type { LookupBackfillDefinition } from './lookup-definition.js';
import { CircuitOpen, LookupFailed, type ApiLimiter } from './limiter.js';

/** What a lookup gave for one key. */
export type Resolution =
  | { kind: 'value'; values: Record<string, unknown> }
  | { kind: 'failed'; message: string; retryAfterMs: number }
  /** The circuit was open: not tried, neither written nor parked. */
  | { kind: 'open' };

/** In-run cache: one lookup per key, shared by concurrent rows (the promise is cached, not just the answer). */
export class LookupCache {
  private readonly byKey = new Map<string, Promise<Resolution>>();
  hits = 0;

  get(key: string, ask: () => Promise<Resolution>): Promise<Resolution> {
    const had = this.byKey.get(key);
    if (had) {
      this.hits++;
      return had;
    }
    const p = ask().then((r) => {
      if (r.kind === 'open') this.byKey.delete(key); // asked again once the circuit closes
      return r;
    });
    this.byKey.set(key, p);
    return p;
  }

  get size(): number {
    return this.byKey.size;
  }
}

async function ask(def: LookupBackfillDefinition, key: string, limiter: ApiLimiter): Promise<Resolution> {
  try {
    return { kind: 'value', values: await def.lookup(key, limiter.fetch) };
  } catch (err) {
    if (err instanceof CircuitOpen) return { kind: 'open' };
    if (err instanceof LookupFailed) return { kind: 'failed', message: err.message, retryAfterMs: err.retryAfterMs };
    // the definition's own refusal (a 404, an answer it cannot read): parked for the longest back-off
    return { kind: 'failed', message: (err as Error)?.message ?? String(err), retryAfterMs: limiter.s.backoffMaxMs };
  }
}

/**
 * resolve(rows): every row's lookup, concurrently (the limiter bounds rate and concurrency), with
 * no transaction open. Rows are returned in the order given, each with its resolution.
 */
export async function resolveRows(
  def: LookupBackfillDefinition,
  rows: readonly Row[],
  limiter: ApiLimiter,
  cache: LookupCache,
): Promise<{ row: Row; r: Resolution }[]> {
  return Promise.all(
    rows.map(async (row) => {
      const key = def.lookupKey(row);
      return { row, r: await cache.get(key, () => ask(def, key, limiter)) };
    }),
  );
}
