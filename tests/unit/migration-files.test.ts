import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DJ_NAME_FILL_FUNCTION,
  DJ_NAME_FILL_TRIGGER,
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_SQL,
  MIGRATIONS_DIR,
  SEARCH_DOC_TRIGGER,
  djNameOfRowSql,
  loadMigrations,
  searchDocSql,
} from '@wxyc/database';

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

  it('0054 (expand) is catalog-only and unguarded: a nullable column and the trigger that owns it', () => {
    const m = byNumber('0054');
    expect(m.tag).toBe('0054_flowsheet-search-doc-expand');
    expect(m.statements.map((s) => s.sql.split('\n')[0])).toEqual([
      'ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "search_doc_new" tsvector;',
      'CREATE OR REPLACE FUNCTION "wxyc_schema"."flowsheet_search_doc_fill"() RETURNS trigger LANGUAGE plpgsql AS $$',
      'CREATE TRIGGER "flowsheet_search_doc_fill" BEFORE INSERT OR UPDATE ON "wxyc_schema"."flowsheet" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."flowsheet_search_doc_fill"();',
    ]);
    expect(m.content).not.toMatch(/^DO \$\$/m);
  });

  it('the trigger functions of 0054 and 0061 compute exactly searchDocSql (the one definition)', () => {
    const expr = searchDocSql('NEW');
    expect(byNumber('0054').statements[1]!.sql).toContain(`NEW.search_doc_new := ${expr};`);
    expect(byNumber('0061').statements.at(-1)!.sql).toContain(`NEW.search_doc := ${expr};`);
    // ... and the same expression the superseded generated column had, now with dj_name (weight B).
    expect(searchDocSql('f')).toBe(
      "setweight(to_tsvector('simple', coalesce(f.artist_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(f.track_title, '')), 'B') || setweight(to_tsvector('simple', coalesce(f.dj_name, '')), 'B') || setweight(to_tsvector('simple', coalesce(f.album_title, '')), 'C') || setweight(to_tsvector('simple', coalesce(f.record_label, '')), 'D')",
    );
  });

  it("0061's dj_name guard embeds the DJ-name rule verbatim, with its source (EXISTS and count)", () => {
    const guard = byNumber('0061').statements[1]!.sql;
    expect(guard.split(DJ_NAME_SQL)).toHaveLength(3);
    expect(guard.split(DJ_NAME_SOURCE_SQL)).toHaveLength(3);
  });

  it('0060 (dj_name fill) computes exactly the DJ-name rule (the one definition) for track rows left NULL, under a short lock_timeout', () => {
    const m = byNumber('0060');
    expect(m.tag).toBe('0060_flowsheet-dj-name-fill');
    expect(m.noTransaction).toBe(false);
    const [timeout, fn, trigger] = m.statements.map((s) => s.sql);
    expect(m.statements).toHaveLength(3);
    expect(timeout).toBe("SET LOCAL lock_timeout = '500ms';");
    const [schema, name] = DJ_NAME_FILL_FUNCTION.split('.');
    expect(fn).toBe(
      `CREATE OR REPLACE FUNCTION "${schema}"."${name}"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\tNEW.dj_name := ${djNameOfRowSql('NEW')};\n\tRETURN NEW;\nEND\n$$;`,
    );
    expect(trigger).toBe(
      `CREATE TRIGGER "${DJ_NAME_FILL_TRIGGER}" BEFORE INSERT OR UPDATE ON "wxyc_schema"."flowsheet" FOR EACH ROW WHEN (NEW."entry_type" = 'track' AND NEW."dj_name" IS NULL) EXECUTE FUNCTION "${schema}"."${name}"();`,
    );
    // BEFORE triggers of one event fire in name order: the name must be there when search_doc is computed.
    expect(DJ_NAME_FILL_TRIGGER < SEARCH_DOC_TRIGGER).toBe(true);
  });

  it('0059 builds the index CONCURRENTLY on its own; 0061 sets a short lock_timeout, then guards, then switches', () => {
    const m59 = byNumber('0059');
    expect(m59.noTransaction).toBe(true);
    expect(m59.statements).toHaveLength(1);
    const m60 = byNumber('0061');
    expect(m60.noTransaction).toBe(false);
    expect(m60.statements.map((s) => s.sql.split('\n')[0]!.slice(0, 40))).toEqual([
      "SET LOCAL lock_timeout = '500ms';",
      'DO $$',
      'ALTER TABLE "wxyc_schema"."flowsheet" DR',
      'ALTER TABLE "wxyc_schema"."flowsheet" RE',
      'ALTER INDEX "wxyc_schema"."flowsheet_sea',
      'CREATE OR REPLACE FUNCTION "wxyc_schema"',
    ]);
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
