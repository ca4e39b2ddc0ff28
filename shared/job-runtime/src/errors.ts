/** Bad configuration: the message names the variable and what to do; exits with EXIT.CONFIG. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** An expected failure with its own exit code and a message that is the whole story. */
export class JobError extends Error {
  override name = 'JobError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Exit codes shared by every job; a job documents any code of its own above 10. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  CONFIG: 2,
  UNREACHABLE: 3,
  INTERRUPTED: 130,
} as const;

interface PgLikeError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  where?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

export function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // postgres-js reports a failed connect as CONNECT_TIMEOUT / CONNECTION_* codes
  return typeof code === 'string' && /^CONNECT(ION)?_/.test(code);
}

/** One readable line (plus detail/hint) for any error, with SQLSTATE when the server sent one. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & PgLikeError;
  const parts = [e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${e.message} (SQLSTATE ${e.code})` : e.message];
  if (e.detail) parts.push(`detail: ${e.detail}`);
  if (e.hint) parts.push(`hint: ${e.hint}`);
  return parts.join('; ');
}
