import type { Row } from 'postgres';
import { CircuitOpen, LookupFailed, type ApiLimiter } from '../limiter.js';
import { outcome, type Outcome } from './outcome.js';
import { held } from './resolve.js';
import type { ResolveContext } from './task.js';

/** A bulk lookup: many keys per request, one verdict per item in input order. */
export interface BulkLookup<I, V> {
  /** Items per request (the service's bulk limit, K). */
  size: number;
  /** What a row asks. Rows whose items have the same `keyOf` share one item and its verdict. */
  itemOf(row: Row): I;
  /** The item's identity, for de-dup and the in-run cache. Default: its JSON. */
  keyOf?(item: I): string;
  /**
   * One request for `items` (distinct, at most `size`): one verdict per item, in order. Throwing
   * LookupFailed leaves the request's rows pending; CircuitOpen holds them (the run pauses).
   */
  ask(items: I[], ctx: ResolveContext): Promise<V[]>;
  /** A row's outcome from its item's verdict. */
  outcomeOf(row: Row, verdict: V, ctx: ResolveContext): Outcome;
  /** Whether a verdict answers later rows of the run with the same key (default: all); a transient one should not. */
  cacheable?(verdict: V): boolean;
  /** A batch's requests in flight at once (default: the limiter's maxConcurrency, which bounds them anyway). */
  concurrency?: number;
  /** Verdicts kept for the run at most (default 100 000); the oldest are dropped first. */
  cacheSize?: number;
}

/** Where a key stands after the batch's requests: its verdict, or why there is none. */
export type Answered<V> = { verdict: V } | { failed: Outcome };

/**
 * The requests a batch needs, pure: its keys not in the cache, each once, in first-seen order,
 * in chunks of `size`.
 */
export function planRequests(keys: readonly string[], cached: (k: string) => boolean, size: number): string[][] {
  if (!(size >= 1)) throw new RangeError(`bulk size must be at least 1 (got ${size})`);
  const ask = [...new Set(keys)].filter((k) => !cached(k));
  const out: string[][] = [];
  for (let i = 0; i < ask.length; i += size) out.push(ask.slice(i, i + size));
  return out;
}

/** A map that forgets its oldest entries past `max` (insertion order). */
export class VerdictCache<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    return this.m.get(k);
  }
  set(k: string, v: V): void {
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
  /** Drops `k` if it still holds `v` (a newer entry stays). */
  forget(k: string, v: V): void {
    if (this.m.get(k) === v) this.m.delete(k);
  }
  get size(): number {
    return this.m.size;
  }
}

/** One request's keys to their answers; the failure of a whole request is every key's. */
async function askOne<I, V>(
  b: BulkLookup<I, V>,
  keys: readonly string[],
  itemByKey: ReadonlyMap<string, I>,
  ctx: ResolveContext,
): Promise<Map<string, Answered<V>>> {
  const all = (failed: Outcome) => new Map(keys.map((k): [string, Answered<V>] => [k, { failed }]));
  if (ctx.signal.aborted) return all(held('shutdown'));
  let verdicts: V[];
  try {
    verdicts = await b.ask(
      keys.map((k) => itemByKey.get(k)!),
      ctx,
    );
  } catch (err) {
    if (err instanceof CircuitOpen) return all(held('circuit open'));
    if (ctx.signal.aborted) return all(held('shutdown'));
    if (err instanceof LookupFailed) return all(outcome.pending(err.message));
    throw err;
  }
  if (!Array.isArray(verdicts) || verdicts.length !== keys.length)
    return all(outcome.pending(`bulk answer has ${verdicts?.length ?? 'no'} verdicts for ${keys.length} items`));
  return new Map(keys.map((k, i) => [k, { verdict: verdicts[i]! }]));
}

type Entry<V> = Promise<Answered<V>>;

/** One cache per run: a run has one limiter, so the limiter keys the cache. */
const caches = new WeakMap<ApiLimiter, VerdictCache<Entry<unknown>>>();

/**
 * A task's resolve for bulk lookups: the batch's rows to items, equal keys asked once per run (an
 * in-run cache of answers, in flight or definitive),
 * the rest in requests of `size` with up to `concurrency` in flight, each verdict mapped back to
 * every row that asked it. A whole request failing after the limiter's retries leaves its rows
 * pending; an open circuit or a shutdown holds them. Failures and verdicts `cacheable` refuses
 * leave the cache once answered, so a later batch asks again.
 */
export function eachBulk<I, V>(b: BulkLookup<I, V>) {
  const keyOf = b.keyOf ?? ((i: I) => JSON.stringify(i));
  return async (rows: Row[], ctx: ResolveContext): Promise<Outcome[]> => {
    const cache = (caches.get(ctx.limiter) ?? new VerdictCache<Entry<V>>(b.cacheSize ?? 100_000)) as VerdictCache<
      Entry<V>
    >;
    caches.set(ctx.limiter, cache);
    const items = rows.map((r) => b.itemOf(r));
    const keys = items.map(keyOf);
    const itemByKey = new Map(keys.map((k, i) => [k, items[i]!]));
    // answers known or under way before this batch, taken now (the sets below may drop old entries)
    const mine = new Map<string, Entry<V>>();
    for (const k of keys) {
      const had = cache.get(k);
      if (had) mine.set(k, had);
    }
    const plan = planRequests(keys, (k) => mine.has(k), b.size);
    // every key asked here is in the cache before anything is awaited: a batch beside this one waits for it
    const runs = plan.map((chunk) => {
      let settle!: (a: Promise<Map<string, Answered<V>>>) => void;
      const answered = new Promise<Map<string, Answered<V>>>((r) => (settle = r));
      for (const k of chunk) {
        const entry = answered.then((m) => m.get(k)!);
        entry.then(
          (a) => ('failed' in a || !(b.cacheable?.(a.verdict) ?? true)) && cache.forget(k, entry),
          () => cache.forget(k, entry),
        );
        cache.set(k, entry);
        mine.set(k, entry);
      }
      return { start: () => settle(askOne(b, chunk, itemByKey, ctx)), answered };
    });
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < runs.length; i = next++) {
        runs[i]!.start();
        await runs[i]!.answered.catch(() => {}); // a failure reaches the rows through their entries
      }
    };
    const width = Math.max(1, b.concurrency ?? ctx.limiter.s.maxConcurrency);
    await Promise.all(Array.from({ length: Math.min(width, runs.length) }, worker));
    const answers = new Map<string, Answered<V>>();
    for (const k of new Set(keys)) answers.set(k, await mine.get(k)!);
    return rows.map((row, i) => {
      const a = answers.get(keys[i]!)!;
      return 'failed' in a ? a.failed : b.outcomeOf(row, a.verdict, ctx);
    });
  };
}
