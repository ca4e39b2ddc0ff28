import { describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { freshState, lostTooOften } from '@wxyc/backfill';

describe('lostTooOften', () => {
  it('says how often, the last error, where the state stands and what to do, with exit 3', () => {
    const s = { ...freshState('album-lookup', 50, 150), rowsWritten: 150 };
    const err = lostTooOften(
      'album-lookup',
      9,
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      s,
    );
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(
      /^backfill album-lookup: the database connection was lost 9 times in a row \(last: .*terminating connection due to administrator command.*\); stopped at the last committed batch \(after key 150, 150 rows written\); run again to resume$/,
    );
  });
});
