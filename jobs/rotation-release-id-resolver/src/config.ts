import { readBackfillSettings, type BackfillSettings } from '@wxyc/backfill';
import { readResolverSettings, type ResolverSettings } from './settings.js';

type Env = Record<string, string | undefined>;

export type ResolverConfig = BackfillSettings & ResolverSettings;

/**
 * Rows per batch unless BACKFILL_BATCH_SIZE says otherwise: a minute of lookups at the default
 * rate, so the on-air pause (checked before each batch) is never more than about a minute late.
 */
export const DEFAULT_BATCH_SIZE = 20;

/** The shared backfill settings plus the resolver's own; DRY_RUN or BACKFILL_DRY_RUN makes a dry run. */
export function readConfig(env: Env, argv: readonly string[]): ResolverConfig {
  const shared = readBackfillSettings(env, argv);
  const own = readResolverSettings(env);
  return {
    ...shared,
    ...own,
    batchSize: env.BACKFILL_BATCH_SIZE ? shared.batchSize : DEFAULT_BATCH_SIZE,
    dryRun: shared.dryRun || own.dryRun,
  };
}
