import { describeError, EXIT, JobError, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import type { BatchSession } from './session.js';
import type { RunState } from './state.js';

/**
 * The one home of "the batch connection is gone" for every runner: say so, forget the connection
 * without sending anything on it, and wait before the next attempt reopens it (re-reserve, re-lock,
 * prepare). The wait also lets postgres-js deliver a FATAL it may replay (porsager/postgres#1223),
 * which the caller counts as one more loss.
 */
export async function afterConnectionLost(
  session: BatchSession,
  log: Logger,
  err: unknown,
  backoffMs: number,
  signal?: AbortSignal,
): Promise<void> {
  log.warn(`connection lost (${describeError(err)}); reconnecting`);
  session.drop({ dead: true });
  await sleep(backoffMs, signal);
}

/** The line when the connection keeps dying: how often, the last error, where the state stands. */
export function lostTooOften(name: string, times: number, err: unknown, s: RunState): JobError {
  const at =
    s.position && !(s.position.length === 1 && s.position[0] === String(s.cursor))
      ? JSON.stringify(s.position)
      : String(s.cursor);
  return new JobError(
    `backfill ${name}: the database connection was lost ${times} times in a row (last: ${describeError(err)}); ` +
      `stopped at the last committed batch (after key ${at}, ${s.rowsWritten} rows written); run again to resume`,
    EXIT.UNREACHABLE,
  );
}
