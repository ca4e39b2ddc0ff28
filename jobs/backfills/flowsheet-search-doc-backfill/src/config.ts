import { ConfigError } from '@wxyc/job-runtime';
import { readBackfillSettings, type BackfillSettings } from '@wxyc/backfill';

type Env = Record<string, string | undefined>;

export type BackfillConfig = BackfillSettings;

/** Env and argv of the job: the shared settings, without a fallback (every row resolves). */
export function readConfig(env: Env, argv: readonly string[]): BackfillConfig {
  if (env.BACKFILL_UNRESOLVED_FALLBACK !== undefined) {
    throw new ConfigError(
      'BACKFILL_UNRESOLVED_FALLBACK is not a setting of this job (every row has a search_doc): unset it.',
    );
  }
  return readBackfillSettings(env, argv);
}
