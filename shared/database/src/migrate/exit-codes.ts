import { EXIT } from '@wxyc/job-runtime';

/**
 * Exit codes of the migration runner (documented in docs/migrations.md). The shared ones
 * (0 ok, 1 unexpected, 2 bad configuration, 3 unreachable, 130 interrupted) come from
 * @wxyc/job-runtime; the runner's own are above 10 so a deploy can tell them apart.
 */
export const MIGRATE_EXIT = {
  ...EXIT,
  /** A migration failed: it was rolled back, the ones before it in this run stay committed. */
  MIGRATION_FAILED: 11,
  /** The journal or a migration file is unusable (order of `when`, missing file, ...). */
  BAD_JOURNAL: 12,
  /** Another runner held the advisory lock for longer than MIGRATE_LOCK_WAIT. */
  LOCK_BUSY: 13,
  /** Pre-flight found a backend that would block or race the migrations: nothing applied. */
  PREFLIGHT_REFUSED: 14,
  /** A migration hit lock_timeout on every one of MIGRATE_LOCK_RETRIES attempts. */
  LOCK_TIMEOUT: 15,
  /** MIGRATE_STRICT_HASHES=1 and an applied migration's file differs from what was applied. */
  HASH_DRIFT: 16,
  /** The migrating connection died (terminated backend, server restart, network): the server rolled back what was in flight. */
  CONNECTION_LOST: 17,
} as const;
