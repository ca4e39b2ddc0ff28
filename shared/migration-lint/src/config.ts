import type { RuleId } from './rules.js';

/**
 * Applied history that breaks rules and cannot be changed (editing an applied migration is
 * drift). Only the listed rules are waived for the file; anything else in it still fails.
 */
export const HISTORICAL_EXCEPTIONS: Record<string, { rules: RuleId[]; reason: string }> = {
  '0015_validate_shows_specialty_fk': {
    rules: ['lock-timeout-not-raised'],
    reason:
      "applied in production before the lock-timeout rule: it validates the shows foreign key under the runner's 2s lock_timeout (a wait behind a VACUUM of shows would have failed it and the runner retried). Kept as applied history.",
  },
  '0024_flowsheet_entry_type': {
    rules: ['dml-with-ddl', 'set-not-null-without-check'],
    reason:
      'applied in production before the DDL-only rule: it backfills entry_type with an UPDATE in the same transaction as the ADD COLUMN and SET NOT NULL. Kept as applied history; do not copy it.',
  },
  '0043_add-has-completed-onboarding': {
    rules: ['dml-with-ddl'],
    reason:
      'applied in production before the DDL-only rule: it UPDATEs auth_user in the same transaction as the ADD COLUMN. Kept as applied history; do not copy it.',
  },
};
