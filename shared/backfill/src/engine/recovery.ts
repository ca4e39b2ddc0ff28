import { describeError, JobError } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { recoveryFor, usesAttempt } from '../policy.js';
import { afterConnectionLost, lostTooOften } from '../reconnect.js';
import { loadState } from '../state.js';
import type { Engine } from './pipeline.js';

/** What differs in how a kind of batch is retried (walked rows, a source's records, the SQL walk's key range). */
export interface BatchRecovery {
  /** What the batch size counts, for the retry lines: "keys" of a range, "rows" read, "records". */
  unit: string;
  /** The smallest batch: a statement timeout at it uses up an attempt (above it, halving is progress). */
  minSize: number;
  /** The size after a statement timeout (default: half, not below minSize). */
  shrink?(size: number): number;
  /** A data error splits the batch around its bad rows (the SQL walk); without this it ends the run. */
  isolates?: boolean;
  /** Before each retry, once the session is back: e.g. reopen a source's reader at the committed checkpoint. */
  again?(): Promise<void>;
}

const WAITED: Readonly<Record<string, string>> = {
  '55P03': 'waited too long for a lock',
  '40P01': 'was chosen as a deadlock victim',
  '40001': 'met a row changed by another session',
};

/** Reserve, lock and prepare again; then the state as last committed, so a commit whose answer was lost counts. */
async function reopen(e: Engine): Promise<void> {
  await e.session.reopen();
  const saved = e.dryRun ? null : await loadState(e.session.c, e.task.name);
  if (saved && +saved.startedAt === +e.s.startedAt) e.s = { ...saved, status: 'running' };
}

/**
 * One batch of any kind under the engine's one recovery policy. `attempt` runs it (told whether
 * to isolate its bad rows) and must leave nothing open when it throws. A lost connection is
 * reopened, up to maxReconnects in a row (then one line, exit 3); a statement timeout shrinks the
 * batch; a lock wait, deadlock or serialization failure waits backoffMs; those two give up after
 * maxAttempts tries that were not progress. A JobError, a shutdown or any other error ends the run.
 */
export async function withBatchRecovery<T>(
  e: Engine,
  how: BatchRecovery,
  attempt: (isolate: boolean) => Promise<T>,
): Promise<T> {
  let lost = 0;
  let tries = 0;
  let isolate = false;
  for (let retry = false; ; retry = true) {
    try {
      if (!e.session.alive) await reopen(e);
      if (retry) await how.again?.();
      return await attempt(isolate);
    } catch (err) {
      if (e.signal.aborted || err instanceof JobError) throw err;
      const rec = recoveryFor(err);
      const size = e.batchSize;
      if (rec === 'reconnect') {
        if (++lost > e.maxReconnects) {
          e.session.drop({ dead: true });
          throw lostTooOften(e.task.name, lost, err, e.s);
        }
        await afterConnectionLost(e.session, e.log, err, e.backoffMs, e.signal);
      } else if (rec === 'isolate' && how.isolates && !isolate) {
        e.log.warn(
          `batch of ${size} ${how.unit} failed on a data error (${describeError(err)}); isolating the failing rows`,
        );
        isolate = true;
      } else if (rec === 'halve' || rec === 'wait') {
        if (usesAttempt(rec, size, how.minSize) && ++tries >= e.maxAttempts) throw err;
        if (rec === 'halve') {
          e.batchSize = how.shrink?.(size) ?? Math.max(how.minSize, Math.floor(size / 2));
          e.log.warn(
            `batch of ${size} ${how.unit} hit statement_timeout (${e.statementTimeoutMs} ms); retrying with ${e.batchSize}`,
          );
        } else {
          const code = (err as { code?: string }).code ?? '?';
          e.log.warn(`batch ${WAITED[code] ?? 'failed'} (${code}); retrying in ${e.backoffMs} ms`);
          await sleep(e.backoffMs, e.signal);
        }
      } else throw err;
    }
  }
}
