import type { Migration } from '../journal.js';

/** A statement of a migration failed; keeps where, and the blockers seen while it waited. */
export class StatementError extends Error {
  override name = 'StatementError';
  constructor(
    readonly migration: Migration,
    readonly index: number,
    override readonly cause: unknown,
    readonly blockers: Blocker[],
    /** Set when the failing step was not the statement itself (bookkeeping, dropping a leftover index). */
    readonly step?: string,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export interface Blocker {
  pid: number;
  application_name: string;
  state: string | null;
  query: string | null;
}
