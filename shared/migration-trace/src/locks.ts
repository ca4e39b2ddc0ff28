/** PostgreSQL's table lock modes, weakest first, as pg_locks names them. */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

// INSERT/UPDATE/DELETE take RowExclusiveLock, which conflicts with these four.
const WRITE_BLOCKING = new Set<string>(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);

/** Does holding `mode` on a table stop INSERT/UPDATE/DELETE on it? */
export const blocksWrites = (mode: string): boolean => WRITE_BLOCKING.has(mode);
/** Does holding `mode` stop plain SELECTs too? Only ACCESS EXCLUSIVE does. */
export const blocksReads = (mode: string): boolean => mode === 'AccessExclusiveLock';

/** "AccessExclusiveLock" -> "ACCESS EXCLUSIVE", as the docs and LOCK TABLE spell it. */
export function lockName(mode: string): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
