-- Switch step of the online search_doc rebuild: one short transaction. The guards first (they
-- read with ACCESS SHARE only, so writers do not wait for them), then the catalog-only switch
-- under ACCESS EXCLUSIVE: drop the old generated column (its index goes with it), rename the
-- new column and index into place, point the trigger function at the new name.
-- A short lock_timeout: if a long transaction holds flowsheet, this gives up after 500 ms
-- (55P03, the runner rolls back and retries with backoff) instead of queueing every write
-- behind its lock request.
-- The guards refuse while a backfill has work left:
--  * a row with search_doc_new IS NULL: run jobs/backfills/flowsheet-search-doc-backfill;
--  * a track row with dj_name IS NULL whose show gives a name by the DJ-name rule (DJ_NAME_SQL of
--    shared/database/src/dj-name.ts, copied verbatim): run jobs/backfills/flowsheet-dj-name-backfill
--    (search becomes by-DJ complete at the switch, not later). Only rows written before 0060 can
--    be such rows: 0060's trigger names every track row written since, whatever the writer;
--  * the index of 0059 missing or INVALID (a killed build): deploy again, the runner rebuilds it.
-- Once the backfills are done the guards are no-ops; they stay (editing an applied migration is drift).
SET LOCAL lock_timeout = '500ms';--> statement-breakpoint
DO $$
DECLARE
	missing bigint;
BEGIN
	IF EXISTS (SELECT 1 FROM wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id JOIN "wxyc_schema"."flowsheet" f ON f.show_id = s.id
	           WHERE f."entry_type" = 'track' AND f."dj_name" IS NULL AND COALESCE(CASE WHEN translate(lower(u.dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(u.dj_name, E' \t\n\r\f\013') END, CASE WHEN translate(lower(s.legacy_dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(s.legacy_dj_name, E' \t\n\r\f\013') END) IS NOT NULL) THEN
		SELECT count(*) INTO missing FROM wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id JOIN "wxyc_schema"."flowsheet" f ON f.show_id = s.id
		WHERE f."entry_type" = 'track' AND f."dj_name" IS NULL AND COALESCE(CASE WHEN translate(lower(u.dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(u.dj_name, E' \t\n\r\f\013') END, CASE WHEN translate(lower(s.legacy_dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(s.legacy_dj_name, E' \t\n\r\f\013') END) IS NOT NULL;
		RAISE EXCEPTION 'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0061'
			USING DETAIL = format('%s track rows have dj_name IS NULL and a DJ name the backfill can fill', missing),
				HINT = 'See docs/runbooks/flowsheet-dj-name-backfill.md, then deploy again.';
	END IF;
	IF EXISTS (SELECT 1 FROM "wxyc_schema"."flowsheet" WHERE "search_doc_new" IS NULL) THEN
		SELECT count(*) INTO missing FROM "wxyc_schema"."flowsheet" WHERE "search_doc_new" IS NULL;
		RAISE EXCEPTION 'flowsheet.search_doc_new backfill incomplete; run jobs/backfills/flowsheet-search-doc-backfill before applying 0061'
			USING DETAIL = format('%s rows have search_doc_new IS NULL', missing),
				HINT = 'See docs/runbooks/flowsheet-search-doc-backfill.md, then deploy again.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('wxyc_schema.flowsheet_search_doc_new_idx') AND indisvalid) THEN
		RAISE EXCEPTION 'index wxyc_schema.flowsheet_search_doc_new_idx is missing or INVALID; 0059 must build it before 0061'
			USING HINT = 'Deploy again: the runner drops an INVALID index and 0059 builds it again.';
	END IF;
END
$$;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN "search_doc";--> statement-breakpoint
-- migrate-lint allow rename-in-use: no code reads or writes search_doc_new (only the trigger, retargeted below in this transaction, and the backfill, finished per the guard); readers of search_doc read the new column from this COMMIT on
ALTER TABLE "wxyc_schema"."flowsheet" RENAME COLUMN "search_doc_new" TO "search_doc";--> statement-breakpoint
ALTER INDEX "wxyc_schema"."flowsheet_search_doc_new_idx" RENAME TO "flowsheet_search_doc_idx";--> statement-breakpoint
CREATE OR REPLACE FUNCTION "wxyc_schema"."flowsheet_search_doc_fill"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_doc := setweight(to_tsvector('simple', coalesce(NEW.artist_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(NEW.track_title, '')), 'B') || setweight(to_tsvector('simple', coalesce(NEW.dj_name, '')), 'B') || setweight(to_tsvector('simple', coalesce(NEW.album_title, '')), 'C') || setweight(to_tsvector('simple', coalesce(NEW.record_label, '')), 'D');
	RETURN NEW;
END
$$;
