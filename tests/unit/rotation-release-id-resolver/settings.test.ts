import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wxyc/job-runtime';
import { readResolverSettings } from '../../../jobs/rotation-release-id-resolver/src/settings.js';

const base = { LML_URL: 'https://lml.example.org', LML_API_KEY: 'k' };

describe('rotation-release-id-resolver settings', () => {
  it('defaults: 20 requests a minute, one at a time, 8 s, 30 days, not a dry run', () => {
    expect(readResolverSettings(base)).toEqual({
      lmlUrl: 'https://lml.example.org',
      lmlApiKey: 'k',
      limiter: { requestsPerMinute: 20, maxConcurrency: 1, timeoutMs: 8000 },
      noMatchTtlDays: 30,
      dryRun: false,
    });
    expect(
      readResolverSettings({ ...base, LML_REQUESTS_PER_MINUTE: '60', NO_MATCH_TTL_DAYS: '7', DRY_RUN: '1' }),
    ).toMatchObject({ limiter: { requestsPerMinute: 60 }, noMatchTtlDays: 7, dryRun: true });
  });
  it('refuses a missing key, a bad URL, credentials in the URL, a bad number: naming the variable', () => {
    expect(() => readResolverSettings({ LML_URL: base.LML_URL })).toThrow(/^LML_API_KEY is not set/);
    expect(() => readResolverSettings({ ...base, LML_URL: 'lml' })).toThrow(/^LML_URL is not a URL/);
    expect(() => readResolverSettings({ ...base, LML_URL: 'https://u:secret@lml' })).toThrow(ConfigError);
    expect(() => readResolverSettings({ ...base, LML_URL: 'https://u:secret@lml' })).not.toThrow(/secret/);
    expect(() => readResolverSettings({ ...base, LML_MAX_CONCURRENCY: '0' })).toThrow(/LML_MAX_CONCURRENCY/);
  });
});
