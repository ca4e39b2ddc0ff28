// Who owns each column of a mirrored PostgreSQL table. The legacy mirror must never undo local
// work (a resolver's Discogs id, a de-dup's kill date, a re-link): a column is either mirrored
// exactly, or mirrored only when the legacy row has a value, or left to local jobs.
import { ConfigError } from '@wxyc/job-runtime';
import type { MirrorSpec } from './mirror-pg.js';

/**
 * - `source`: mirrored exactly; a change outside the import is drift and is repaired.
 * - `source-else-local`: the legacy value when it has one (the mapping gives NULL for "none":
 *   NULL, 0, negative); otherwise what a local job wrote is kept, never cleared by the ETL or
 *   the verification.
 * - `local`: not the legacy row's; the ETL at most gives it a first value on insert (and keeps
 *   it in step when it rewrites the row anyway: `passive` in upsertBatch), never a reason to
 *   rewrite a row, and outside the drift trigger.
 */
export type ColumnOwner = 'source' | 'source-else-local' | 'local';

export const OWNERS: readonly ColumnOwner[] = ['source', 'source-else-local', 'local'];

/** A mirrored table: where it is, the columns the ETL writes, and who owns each of them. */
export interface MirrorTable extends MirrorSpec {
  /** Every column the ETL's upsert lists (the key and source_hash among them). */
  written: readonly string[];
  /** An owner per written column (and any other column worth declaring). */
  owners: Readonly<Record<string, ColumnOwner>>;
  /** The legacy "none" values the mapping turns into NULL for the source-else-local columns (documentation, shown in errors). */
  none?: string;
}

/** Declares a mirrored table (typed identity; `checkOwners` validates it at startup). */
export const mirrorTable = <M extends MirrorTable>(m: M): M => m;

/** The columns of an owner. */
export const ownedBy = (m: MirrorTable, owner: ColumnOwner): string[] => m.written.filter((c) => m.owners[c] === owner);

/** The columns whose PostgreSQL change is drift: the `source` columns but the key and the hash itself. */
export const driftColumns = (m: MirrorTable): string[] =>
  ownedBy(m, 'source').filter((c) => c !== m.key && c !== 'source_hash');

/**
 * Refuses (ConfigError: one line, exit 2) a job whose mirrored table writes a column without an
 * owner, or with one that is not source / source-else-local / local, or whose key or hash is not
 * `source`. Run at startup, before any connection.
 */
export function checkOwners(job: string, mirrors: readonly MirrorTable[]): void {
  for (const m of mirrors) {
    for (const c of m.written) {
      const owner = m.owners[c];
      if (owner === undefined) {
        throw new ConfigError(
          `${job}: ${m.table} writes column ${c} with no owner; declare it source, source-else-local or local in the job's legacy-tables.ts. Refusing to start.`,
        );
      }
      if (!OWNERS.includes(owner)) {
        throw new ConfigError(
          `${job}: ${m.table} column ${c} has owner ${JSON.stringify(owner)}; expected source, source-else-local or local. Refusing to start.`,
        );
      }
      if ((c === m.key || c === 'source_hash') && owner !== 'source') {
        throw new ConfigError(
          `${job}: ${m.table} column ${c} (the legacy key or the source hash) must be owned by source, not ${owner}. Refusing to start.`,
        );
      }
    }
    if (!m.written.includes(m.key) || !m.written.includes('source_hash')) {
      throw new ConfigError(`${job}: ${m.table} must write its key ${m.key} and source_hash. Refusing to start.`);
    }
  }
}
