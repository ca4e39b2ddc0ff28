import type { Statement } from '../journal.js';

// `SET LOCAL lock_timeout = '500ms'` / `SET LOCAL lock_timeout TO 500`, and the transaction-local
// set_config('lock_timeout', '500ms', true): what a migration may do to wait less (0061 does).
const SET_LOCAL = /^\s*SET\s+LOCAL\s+lock_timeout\s*(?:=|TO)\s*'?([^';\s]+)'?/i;
const SET_CONFIG = /set_config\(\s*'lock_timeout'\s*,\s*'([^']+)'\s*,\s*true\s*\)/i;

/** Strips leading `--` comment lines, so a statement's own text is matched. */
const withoutComments = (sql: string) => sql.replace(/^(?:\s*--[^\n]*\n)+/, '');

/**
 * The lock_timeout in force when statement `index` of a migration ran: the last transaction-local
 * setting of an earlier statement, else the runner's. So a retry message says the wait that
 * actually expired (500ms for 0061, not the runner's 2s).
 */
export function lockTimeoutAt(statements: readonly Statement[], index: number, runnerDefault: string): string {
  let value = runnerDefault;
  for (const s of statements.slice(0, index)) {
    const text = withoutComments(s.sql);
    const m = SET_LOCAL.exec(text) ?? SET_CONFIG.exec(text);
    if (m) value = m[1]!;
  }
  return value;
}
