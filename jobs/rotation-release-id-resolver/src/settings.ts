import { ConfigError, boolEnv, intEnv, requireEnv } from '@wxyc/job-runtime';
import type { LimiterSettings } from '@wxyc/backfill';

type Env = Record<string, string | undefined>;

/** The resolver's settings (README: "Settings"); anything malformed is a ConfigError naming the variable. */
export interface ResolverSettings {
  lmlUrl: string;
  /** Never logged. */
  lmlApiKey: string;
  limiter: Pick<LimiterSettings, 'requestsPerMinute' | 'maxConcurrency' | 'timeoutMs'>;
  noMatchTtlDays: number;
  dryRun: boolean;
}

export function readResolverSettings(env: Env): ResolverSettings {
  const lmlUrl = requireEnv(env, 'LML_URL', 'the lookup service base URL, e.g. https://lml.example.org');
  let parsed: URL;
  try {
    parsed = new URL(lmlUrl);
  } catch {
    throw new ConfigError(
      'LML_URL is not a URL: it must be the lookup service base URL, e.g. https://lml.example.org.',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ConfigError(`LML_URL must be http(s), not ${parsed.protocol}`);
  if (parsed.username || parsed.password)
    throw new ConfigError('LML_URL must not carry credentials: put the key in LML_API_KEY.');
  return {
    lmlUrl,
    lmlApiKey: requireEnv(env, 'LML_API_KEY', 'the lookup service API key (sent as a Bearer token)'),
    limiter: {
      requestsPerMinute: intEnv(env, 'LML_REQUESTS_PER_MINUTE', { default: 20, min: 1, max: 6000 }),
      maxConcurrency: intEnv(env, 'LML_MAX_CONCURRENCY', { default: 1, min: 1, max: 32 }),
      timeoutMs: intEnv(env, 'LML_TIMEOUT_MS', { default: 8000, min: 100, max: 120_000 }),
    },
    noMatchTtlDays: intEnv(env, 'NO_MATCH_TTL_DAYS', { default: 30, min: 1, max: 3650 }),
    dryRun: boolEnv(env, 'DRY_RUN'),
  };
}

/** The resolver's own variables, for --help. */
export const RESOLVER_ENV: Readonly<Record<string, string>> = {
  LML_URL: 'the lookup service base URL (required; no credentials in it)',
  LML_API_KEY: 'the lookup service API key, sent as a Bearer token (required; never logged)',
  LML_REQUESTS_PER_MINUTE: 'requests a minute, retries included (default 20)',
  LML_MAX_CONCURRENCY: 'requests in flight (default 1)',
  LML_TIMEOUT_MS: 'per request, body included (default 8000)',
  NO_MATCH_TTL_DAYS: 'days before a stamped row (no match, sentinel, rejected) is asked again (default 30)',
  DRY_RUN: '1: ask, count per outcome, write nothing',
};
