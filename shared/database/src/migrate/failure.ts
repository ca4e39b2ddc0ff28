import { migrationFileName, type Migration, type Statement } from '../journal.js';

interface PgError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  where?: string;
  position?: string | number;
}

export const LOCK_NOT_AVAILABLE = '55P03';
export const QUERY_CANCELED = '57014';
/** The database named in the URL does not exist. */
export const INVALID_CATALOG_NAME = '3D000';
/** The role does not exist (28000) or its password is wrong (28P01). */
export const INVALID_AUTHORIZATION = '28000';
export const INVALID_PASSWORD = '28P01';

export function sqlState(err: unknown): string | undefined {
  const code = (err as PgError | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Line in the file of the error: the statement's line plus the lines before the server's error position. */
export function errorLine(stmt: Statement, err: unknown): number {
  const pos = Number((err as PgError | undefined)?.position);
  if (!Number.isInteger(pos) || pos < 1) return stmt.line;
  return stmt.line + (stmt.sql.slice(0, pos - 1).match(/\n/g)?.length ?? 0);
}

/** Multi-line report of a failed statement: file, line, SQLSTATE, message, detail, hint, context. */
export function describeStatementFailure(m: Migration, index: number, err: unknown): string {
  const stmt = m.statements[index]!;
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & PgError;
  const state = sqlState(e);
  const lines = [
    `${migrationFileName(m)}, line ${errorLine(stmt, e)} (statement ${index + 1} of ${m.statements.length}): ` +
      `${e.message}${state ? ` [SQLSTATE ${state}]` : ''}`,
  ];
  if (e.detail) lines.push(`  detail: ${e.detail}`);
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (e.where) lines.push(`  context: ${e.where.replace(/\n/g, ' / ')}`);
  return lines.join('\n');
}
