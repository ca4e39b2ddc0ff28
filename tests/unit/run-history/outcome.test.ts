import { describe, expect, it } from 'vitest';
import { maskUrl, readHistorySettings, scrubError } from '@wxyc/database';
import { outcomeFor } from '@wxyc/job-runtime';

describe('outcomeFor', () => {
  it('maps exit codes (and a skipped tick) to outcomes', () => {
    expect(outcomeFor(0, false)).toBe('ok');
    expect(outcomeFor(0, true)).toBe('skipped');
    expect(outcomeFor(130, true)).toBe('interrupted');
    expect(outcomeFor(1, false)).toBe('failed');
    expect(outcomeFor(11, true)).toBe('failed');
  });
});

describe('scrubError', () => {
  it('masks every URL, drops query strings and bounds the length', () => {
    const line = 'a postgres://u:pw@h:5432/db?sslpassword=pw and mysql://r:pw2@m/x failed';
    const out = scrubError(line, maskUrl)!;
    expect(out).toBe('a postgres://u:***@h:5432/db?… and mysql://r:***@m/x failed');
    expect(scrubError('x'.repeat(600), maskUrl)).toHaveLength(500);
    expect(scrubError(null, maskUrl)).toBeNull();
  });
});

describe('readHistorySettings', () => {
  it('takes JOB_HOST and IMAGE_VERSION, and refuses a bad retention with the variable named', () => {
    expect(readHistorySettings({ JOB_HOST: 'host-b', IMAGE_VERSION: 'sha-1' })).toMatchObject({
      host: 'host-b',
      imageVersion: 'sha-1',
      retentionDays: 30,
      heartbeatMs: 30_000,
    });
    expect(readHistorySettings({}).imageVersion).toBeNull();
    expect(() => readHistorySettings({ RUN_HISTORY_RETENTION_DAYS: '0' })).toThrow(
      /RUN_HISTORY_RETENTION_DAYS="0" is invalid/,
    );
  });
});
