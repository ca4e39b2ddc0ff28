import { describe, expect, it } from 'vitest';
import { searchDocSql } from '@wxyc/database';
import { readConfig } from '../../jobs/backfills/flowsheet-search-doc-backfill/src/config.js';

describe('searchDocSql', () => {
  it('qualifies every column with the alias, weights A B B C D', () => {
    expect(searchDocSql('NEW').match(/NEW\.\w+/g)).toEqual([
      'NEW.artist_name',
      'NEW.track_title',
      'NEW.dj_name',
      'NEW.album_title',
      'NEW.record_label',
    ]);
    expect(searchDocSql('f').match(/'[A-D]'/g)).toEqual(["'A'", "'B'", "'B'", "'C'", "'D'"]);
  });

  it('refuses anything but a bare alias (the text is embedded in SQL)', () => {
    for (const bad of ['', 'f.x', 'f; DROP TABLE x', "f'", 'a b'])
      expect(() => searchDocSql(bad)).toThrow(/is not a row alias/);
  });
});

describe('flowsheet-search-doc-backfill config', () => {
  it('has the dj_name job defaults and flags', () => {
    expect(readConfig({}, ['--reset'])).toEqual({
      batchSize: 5000,
      targetMs: 300,
      pauseMs: 0,
      maxReplicaLagMs: 5000,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      dryRun: false,
      reset: true,
      retryParked: false,
    });
  });

  it('refuses a fallback, an unknown flag and a bad number with one line naming the variable', () => {
    expect(() => readConfig({ BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ' }, [])).toThrow(
      /BACKFILL_UNRESOLVED_FALLBACK is not a setting of this job/,
    );
    expect(() => readConfig({}, ['--force'])).toThrow(/unknown argument "--force"/);
    expect(() => readConfig({ BACKFILL_BATCH_SIZE: '0' }, [])).toThrow(/BACKFILL_BATCH_SIZE/);
  });
});
