import type { Sql } from 'postgres';
import type { ServerGoodbye } from './server-goodbye.js';

/** SQLSTATEs after which the server has closed the session (class 08, and 57P01-57P03). */
const SESSION_ENDING_STATES = /^(08...|57P0[1-3])$/;
/** postgres-js and Node codes of a socket that is gone. */
const SOCKET_GONE = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

const goodbyes = new WeakMap<Sql, ServerGoodbye[]>();
/** A goodbye older than this is about an earlier connection, not the loss being described. */
const GOODBYE_FRESH_MS = 10_000;

/** Called by createDbClient: the FATAL errors its server sent before closing a connection. */
export function recordGoodbyes(sql: Sql, list: ServerGoodbye[]): void {
  goodbyes.set(sql, list);
}

/** True when `err` means the connection it ran on is dead: never send it another statement. */
export function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (SOCKET_GONE.has(code) || SESSION_ENDING_STATES.test(code));
}

/**
 * One line for a lost connection: what the server said when it ended the session (SQLSTATE),
 * else the socket error; postgres-js alone would say "write CONNECTION_CLOSED".
 */
export function describeConnectionLoss(sql: Sql, err: unknown): string {
  const said = goodbyes.get(sql)?.at(-1);
  if (said && Date.now() - said.at < GOODBYE_FRESH_MS)
    return `the server ended the session: ${said.message} [SQLSTATE ${said.code}]`;
  const e = err as { code?: string; message?: string } | undefined;
  if (e?.code && SESSION_ENDING_STATES.test(e.code))
    return `the server ended the session: ${e.message} [SQLSTATE ${e.code}]`;
  return `the connection broke: ${e?.message ?? String(err)}${e?.code && !e.message?.includes(e.code) ? ` (${e.code})` : ''}`;
}
