/**
 * How to get rid of a backend that is in the way. pg_cancel_backend only stops a running
 * statement: a session idle in a transaction keeps its locks through it, so it is told to
 * pg_terminate_backend; a prepared transaction has no backend at all (ROLLBACK PREPARED).
 */
export function endBackendAdvice(pid: number | null, state: string | null, gid?: string | null): string {
  if (pid === null) {
    return gid
      ? `ROLLBACK PREPARED '${gid.replace(/'/g, "''")}' (a prepared transaction; no backend to cancel)`
      : 'ROLLBACK PREPARED (see pg_prepared_xacts)';
  }
  if (state === 'active')
    return `SELECT pg_cancel_backend(${pid}), then pg_terminate_backend(${pid}) if it is still there after a few seconds`;
  return `SELECT pg_terminate_backend(${pid}) (it is ${state ?? 'not running a statement'}: pg_cancel_backend does nothing to it)`;
}
