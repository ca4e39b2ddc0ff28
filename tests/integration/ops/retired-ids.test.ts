// ops:status counts the legacy ids retired locally (issue #25), per mirrored table.
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { retireLegacyIds } from '@wxyc/legacy-etl';
import { collectStatus, renderStatus } from '@wxyc/ops';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();

describe('ops status: retired legacy ids', () => {
  it('none, then counted per table in the text view and the JSON, never a problem', async () => {
    const before = await collectStatus(db.sql, [], MIGRATIONS_DIR);
    expect(before.retired).toEqual([]);
    expect(renderStatus(before)).toContain('legacy ids retired locally: none');
    await retireLegacyIds(db.sql, {
      table: 'wxyc_schema.rotation',
      ids: [3, 4, 4],
      reason: 'duplicates of 2',
      job: 'dedup',
    });
    await retireLegacyIds(db.sql, { table: 'wxyc_schema.flowsheet', ids: [9], reason: 'merged', job: 'merge' });
    const s = await collectStatus(db.sql, [], MIGRATIONS_DIR);
    expect(s.retired.map((r) => [r.table, r.count])).toEqual([
      ['wxyc_schema.flowsheet', 1],
      ['wxyc_schema.rotation', 2],
    ]);
    expect(renderStatus(s)).toMatch(
      /legacy ids retired locally \(skipped by the mirror\): wxyc_schema\.flowsheet 1 \(newest \S+ ago\), wxyc_schema\.rotation 2/,
    );
    expect(s.problems).toEqual(before.problems);
  });

  it('refuses a table that is not mirrored, an empty reason, an id that is not a positive int4', async () => {
    await expect(
      retireLegacyIds(db.sql, { table: 'wxyc_schema.genres', ids: [1], reason: 'x', job: 'j' }),
    ).rejects.toThrow('is not a mirrored table');
    await expect(
      retireLegacyIds(db.sql, { table: 'wxyc_schema.rotation', ids: [1], reason: ' ', job: 'j' }),
    ).rejects.toThrow('reason and job are required');
    await expect(
      retireLegacyIds(db.sql, { table: 'wxyc_schema.rotation', ids: [0], reason: 'x', job: 'j' }),
    ).rejects.toThrow('legacy id 0 is not a positive int4');
  });
});
