import { describe, expect, it } from 'vitest';
import { UsageError } from '@wxyc/job-runtime';
import { readBackfillSettings, runOptionsOf } from '@wxyc/backfill';

describe('readBackfillSettings (every backfill job)', () => {
  it('refuses an unknown argument with the usage naming every argument the job takes', () => {
    expect(() => readBackfillSettings({}, ['--force'])).toThrow(
      new UsageError(
        'unknown argument "--force"; usage: node dist/job.js [--reset] [--retry-parked] (--help for details)',
      ),
    );
    expect(() => readBackfillSettings({}, ['--rest'], { '--refresh': 're-resolve stored names' })).toThrow(
      new UsageError(
        'unknown argument "--rest"; usage: node dist/job.js [--reset] [--retry-parked] [--refresh] (--help for details)',
      ),
    );
  });

  it("accepts the job's own flags and maps the settings onto run options", () => {
    const s = readBackfillSettings(
      { BACKFILL_TARGET_MS: '1000', BACKFILL_PAUSE_MS: '5' },
      ['--refresh', '--retry-parked'],
      { '--refresh': 'x' },
    );
    expect(s).toMatchObject({
      targetMs: 1000,
      statementTimeoutMs: 10_000,
      pauseMs: 5,
      retryParked: true,
      reset: false,
    });
    expect(runOptionsOf(s)).toEqual({
      batchSize: 5000,
      targetMs: 1000,
      pauseMs: 5,
      maxReplicaLagMs: 5000,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 10_000,
      dryRun: false,
      reset: false,
      retryParked: true,
    });
  });

  it('refuses a DB_STATEMENT_TIMEOUT_MS too small to run with', () => {
    expect(() => readBackfillSettings({ DB_STATEMENT_TIMEOUT_MS: '500' }, [])).toThrow(
      /DB_STATEMENT_TIMEOUT_MS="500" is invalid for a backfill/,
    );
  });
});
