import { ConfigError } from '@wxyc/job-runtime';
import { readBackfillSettings, type BackfillSettings } from '@wxyc/backfill';

type Env = Record<string, string | undefined>;

export interface BackfillConfig extends BackfillSettings {
  fallback: string | null;
  /** --refresh: re-resolve stored names that differ from the rule (instead of filling NULLs). */
  refresh: boolean;
}

/** Env and argv of the job (the shared settings, the fallback name, --refresh); anything malformed is a ConfigError naming the variable. */
/** The job's own flags (beyond --reset, --retry-parked) and env, for the parser and --help. */
export const DJ_NAME_FLAGS = {
  '--refresh': 're-resolve stored names the rule no longer gives (real names, "Anonymous", changed DJs)',
};
export const DJ_NAME_ENV = {
  BACKFILL_UNRESOLVED_FALLBACK: 'name written where no handle resolves (opt-in; not with --refresh)',
};

export function readConfig(env: Env, argv: readonly string[]): BackfillConfig {
  const settings = readBackfillSettings(env, argv, DJ_NAME_FLAGS);
  const refresh = argv.includes('--refresh');
  const fallback = env.BACKFILL_UNRESOLVED_FALLBACK;
  if (fallback !== undefined && fallback.trim() === '' && fallback !== '') {
    throw new ConfigError('BACKFILL_UNRESOLVED_FALLBACK is blank: set a name such as "Unknown DJ", or unset it.');
  }
  if (refresh && fallback) {
    throw new ConfigError(
      'BACKFILL_UNRESOLVED_FALLBACK cannot be used with --refresh: a refresh writes what the DJ-name rule gives, NULL included. Unset it.',
    );
  }
  return { ...settings, fallback: fallback ? fallback : null, refresh };
}
