import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, loadMigrations } from '@wxyc/database';

const byNumber = (n: string) => loadMigrations(MIGRATIONS_DIR).find((m) => m.tag.startsWith(n))!;

describe('migrations that the incident is about', () => {
  it('0053 only adds the column and points to the backfill', () => {
    const m = byNumber('0053');
    expect(m.tag).toBe('0053_flowsheet-dj-name-column');
    expect(m.statements.map((s) => s.sql)).toEqual([
      'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "dj_name" text;',
    ]);
    expect(m.content).toContain('jobs/backfills/flowsheet-dj-name-backfill/');
    expect(m.content).toContain('docs/runbooks/flowsheet-dj-name-backfill.md');
  });

  it('0054 starts with its guard and opts in to a longer timeout before the rewrite', () => {
    const m = byNumber('0054');
    expect(m.tag).toBe('0054_flowsheet-search-doc-with-dj-name');
    expect(m.statements[0]!.sql).toMatch(/^DO \$\$/);
    expect(m.statements[1]!.sql).toMatch(/^SET LOCAL statement_timeout/);
  });

  it('0024 and 0043 carry the historical-exception header', () => {
    for (const n of ['0024_flowsheet_entry_type', '0043_add-has-completed-onboarding']) {
      const m = byNumber(n.slice(0, 4));
      expect(m.tag).toBe(n);
      expect(readFileSync(m.file, 'utf8').split('\n')[0]).toMatch(/^-- HISTORICAL EXCEPTION/);
    }
  });

  it('0055 adds the six nullable identity columns to artists', () => {
    const cols = byNumber('0055').statements.map((s) => s.sql.match(/ADD COLUMN "(\w+)"/)?.[1]);
    expect(cols).toEqual([
      'discogs_artist_id',
      'musicbrainz_artist_id',
      'wikidata_qid',
      'spotify_artist_id',
      'apple_music_artist_id',
      'bandcamp_id',
    ]);
  });
});
