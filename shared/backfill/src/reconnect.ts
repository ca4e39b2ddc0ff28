import { describeError, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import type { BatchSession } from './session.js';

/**
 * The one home of "the batch connection is gone" for every runner: say so, forget the connection
 * without sending anything on it, and wait before the next attempt reopens it (re-reserve, re-lock,
 * prepare). The wait also lets postgres-js deliver a FATAL it may replay (porsager/postgres#1223),
 * which the caller counts as one more loss.
 */
export async function afterConnectionLost(session: BatchSession, log: Logger, err: unknown, backoffMs: number, signal?: AbortSignal): Promise<void> {
  log.warn(`connection lost (${describeError(err)}); reconnecting`);
  session.drop({ dead: true });
  await sleep(backoffMs, signal);
}
