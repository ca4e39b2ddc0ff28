import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, loadMigrations } from '@wxyc/database';

describe('0056', () => {
  it('only adds the nullable cursor column to cronjob_runs (catalog-only DDL)', () => {
    const m = loadMigrations(MIGRATIONS_DIR).find((x) => x.tag.startsWith('0056'))!;
    expect(m.tag).toBe('0056_cronjob-runs-cursor');
    expect(m.statements.map((s) => s.sql)).toEqual([
      'ALTER TABLE "wxyc_schema"."cronjob_runs" ADD COLUMN "cursor" jsonb;',
    ]);
  });
});
