import { isUnreachable } from '@wxyc/job-runtime';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, sqlState } from '@wxyc/database';
import { MIN_BATCH_SIZE } from './sizing.js';

/** What the runner does after a failed batch attempt. */
export type Recovery =
  /** statement_timeout: the same range again at half the size (free above the minimum size). */
  | 'halve'
  /** a lock wait, deadlock or serialization failure: the same batch again after a pause. */
  | 'wait'
  /** the batch connection is gone: reconnect (lock, prepare) and retry. */
  | 'reconnect'
  /** a data error (class 22 or 23): split the batch, write what is good, park the rest. */
  | 'isolate'
  /** anything else: stop, saying what happened. */
  | 'fail';

/** 40001: a REPEATABLE READ write met a row changed since its snapshot (the optimistic batch's signal). */
export const SERIALIZATION_FAILURE = '40001';

const RETRY_LATER = new Set([LOCK_NOT_AVAILABLE, '40P01', SERIALIZATION_FAILURE]);
// 57P01 admin shutdown (pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now (restart)
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);

/**
 * True when the error means the connection cannot be used again: a network error, a
 * postgres-js CONNECTION_* code, or the server ending the session.
 */
export function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return isUnreachable(err) || (typeof code === 'string' && SESSION_ENDED.has(code));
}

export function isDataError(err: unknown): boolean {
  const code = sqlState(err);
  return code !== undefined && /^2[23]/.test(code);
}

/** The recovery for `err` from a batch attempt. Pure, so each branch is unit-tested. */
export function recoveryFor(err: unknown): Recovery {
  if (connectionLost(err)) return 'reconnect';
  const code = sqlState(err);
  if (code === QUERY_CANCELED) return 'halve';
  if (code && RETRY_LATER.has(code)) return 'wait';
  if (isDataError(err)) return 'isolate';
  return 'fail';
}

/** Halving is progress (until the minimum size), as is isolating; every other retry uses up one of the batch's attempts. */
export function usesAttempt(r: Recovery, size: number, minSize = MIN_BATCH_SIZE): boolean {
  if (r === 'halve') return size <= minSize;
  return r !== 'isolate';
}
