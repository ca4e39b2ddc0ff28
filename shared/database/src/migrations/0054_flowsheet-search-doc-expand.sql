-- Expand step of the online search_doc rebuild (docs/migrations.md, "search_doc with dj_name,
-- online"). Replaces the unapplied first 0054, which re-added search_doc as a STORED generated
-- column: a whole-table rewrite under ACCESS EXCLUSIVE (~100 s at 2.6M rows).
-- Catalog-only: a nullable column with no default, and a trigger that computes it for every
-- row inserted or updated from now on (the expression of shared/database/src/search-doc.ts,
-- dj_name included, copied verbatim; a unit test keeps them equal). The trigger overwrites any
-- value a writer sets: it owns the column. Existing rows are filled by
-- jobs/backfills/flowsheet-search-doc-backfill; 0059 indexes the column, 0060 switches it in.
-- No guard: nothing here depends on a backfill, so 0055 and later apply without waiting for one.
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "search_doc_new" tsvector;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "wxyc_schema"."flowsheet_search_doc_fill"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_doc_new := setweight(to_tsvector('simple', coalesce(NEW.artist_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(NEW.track_title, '')), 'B') || setweight(to_tsvector('simple', coalesce(NEW.dj_name, '')), 'B') || setweight(to_tsvector('simple', coalesce(NEW.album_title, '')), 'C') || setweight(to_tsvector('simple', coalesce(NEW.record_label, '')), 'D');
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "flowsheet_search_doc_fill" BEFORE INSERT OR UPDATE ON "wxyc_schema"."flowsheet" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."flowsheet_search_doc_fill"();
