import { ConfigError } from '@wxyc/job-runtime';

type Env = Record<string, string | undefined>;

/**
 * The smallest DB_STATEMENT_TIMEOUT_MS a backfill accepts: below it even the client's
 * connect-time type lookup and the start-up count time out. (Batches set their own timeout.)
 */
export const MIN_DB_STATEMENT_TIMEOUT_MS = 1_000;

/** Refuses a DB_STATEMENT_TIMEOUT_MS that is set but too small (or not a number), with one line. */
export function checkDbStatementTimeout(env: Env): void {
  const raw = env.DB_STATEMENT_TIMEOUT_MS?.trim();
  if (raw === undefined || raw === '') return;
  if (!/^\d+$/.test(raw) || Number(raw) < MIN_DB_STATEMENT_TIMEOUT_MS) {
    throw new ConfigError(
      `DB_STATEMENT_TIMEOUT_MS=${JSON.stringify(raw)} is invalid for a backfill: expected a whole number >= ${MIN_DB_STATEMENT_TIMEOUT_MS} ` +
        "(it bounds the runner's own queries; each batch sets its own timeout from BACKFILL_STATEMENT_TIMEOUT_MS). Unset it for the default.",
    );
  }
}

/** The runner's command-line flags, shared by every backfill job. */
export const BACKFILL_FLAGS = ['--reset', '--retry-parked'] as const;
