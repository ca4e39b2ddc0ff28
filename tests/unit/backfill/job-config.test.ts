import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wxyc/job-runtime';
import { readConfig } from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/config.js';

describe('flowsheet-dj-name-backfill config', () => {
  it('has the documented defaults', () => {
    expect(readConfig({}, [])).toEqual({
      batchSize: 5000,
      targetMs: 300,
      pauseMs: 0,
      maxReplicaLagMs: 5000,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      dryRun: false,
      fallback: null,
      reset: false,
      retryParked: false,
      refresh: false,
    });
  });

  it('reads --refresh, alone or with --reset, and refuses it with a fallback (a refresh writes NULLs)', () => {
    expect(readConfig({}, ['--refresh'])).toMatchObject({ refresh: true, reset: false });
    expect(readConfig({}, ['--reset', '--refresh'])).toMatchObject({ refresh: true, reset: true });
    expect(readConfig({}, ['--refresh', '--retry-parked'])).toMatchObject({ refresh: true, retryParked: true });
    expect(() => readConfig({ BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ' }, ['--refresh'])).toThrow(
      /^BACKFILL_UNRESOLVED_FALLBACK cannot be used with --refresh: .* Unset it\.$/,
    );
  });

  it('reads the overrides, --reset and the fallback', () => {
    const c = readConfig(
      {
        BACKFILL_BATCH_SIZE: '20000',
        BACKFILL_TARGET_MS: '1000',
        BACKFILL_DRY_RUN: '1',
        BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ',
      },
      ['--reset'],
    );
    expect(c).toMatchObject({
      batchSize: 20000,
      targetMs: 1000,
      statementTimeoutMs: 10000,
      dryRun: true,
      fallback: 'Unknown DJ',
      reset: true,
    });
  });

  it.each(['0', '-5', 'abc', '12.5', '5k'])('rejects BACKFILL_BATCH_SIZE=%s with the variable named', (v) => {
    expect(() => readConfig({ BACKFILL_BATCH_SIZE: v }, [])).toThrow(ConfigError);
    expect(() => readConfig({ BACKFILL_BATCH_SIZE: v }, [])).toThrow(
      /^BACKFILL_BATCH_SIZE=".*" is invalid: expected a whole number >= 1\.$/,
    );
  });

  it('rejects unknown arguments and a blank fallback', () => {
    expect(() => readConfig({}, ['--rest'])).toThrow(/unknown argument "--rest"/);
    expect(() => readConfig({ BACKFILL_UNRESOLVED_FALLBACK: '  ' }, [])).toThrow(
      /BACKFILL_UNRESOLVED_FALLBACK is blank/,
    );
  });
});
