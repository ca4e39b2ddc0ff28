-- Rebuilds flowsheet.search_doc to include dj_name (weights: artist A, track B, DJ B,
-- album C, label D). The guard refuses while the backfill has work left: a track row with
-- dj_name IS NULL whose show gives a name by the DJ-name rule (DJ_NAME_SQL of
-- shared/database/src/dj-name.ts, copied verbatim; a unit test keeps them equal). Rows the rule
-- resolves to NULL (no handle anywhere) stay NULL and do not block. Run
-- jobs/backfills/flowsheet-dj-name-backfill first. Once the backfill is done the guard is a no-op;
-- it stays, because editing an applied migration is drift.
-- The column rewrite opts in to a longer statement timeout (SET LOCAL: this migration only).
DO $$
DECLARE
	missing bigint;
BEGIN
	IF EXISTS (SELECT 1 FROM wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id JOIN "wxyc_schema"."flowsheet" f ON f.show_id = s.id
	           WHERE f."entry_type" = 'track' AND f."dj_name" IS NULL AND COALESCE(CASE WHEN translate(lower(u.dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(u.dj_name, E' \t\n\r\f\013') END, CASE WHEN translate(lower(s.legacy_dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(s.legacy_dj_name, E' \t\n\r\f\013') END) IS NOT NULL) THEN
		SELECT count(*) INTO missing FROM wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id JOIN "wxyc_schema"."flowsheet" f ON f.show_id = s.id
		WHERE f."entry_type" = 'track' AND f."dj_name" IS NULL AND COALESCE(CASE WHEN translate(lower(u.dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(u.dj_name, E' \t\n\r\f\013') END, CASE WHEN translate(lower(s.legacy_dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(s.legacy_dj_name, E' \t\n\r\f\013') END) IS NOT NULL;
		RAISE EXCEPTION 'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0054'
			USING DETAIL = format('%s track rows have dj_name IS NULL and a DJ handle the backfill can fill', missing),
				HINT = 'See docs/runbooks/flowsheet-dj-name-backfill.md, then deploy again.';
	END IF;
END
$$;--> statement-breakpoint
SET LOCAL statement_timeout = '30min';--> statement-breakpoint
DROP INDEX IF EXISTS "wxyc_schema"."flowsheet_search_doc_idx";--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN IF EXISTS "search_doc";--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "search_doc" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', coalesce(artist_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(track_title, '')), 'B') || setweight(to_tsvector('simple', coalesce(dj_name, '')), 'B') || setweight(to_tsvector('simple', coalesce(album_title, '')), 'C') || setweight(to_tsvector('simple', coalesce(record_label, '')), 'D')) STORED;--> statement-breakpoint
-- migrate-lint allow index-not-concurrent: the ADD COLUMN above rewrites flowsheet under ACCESS EXCLUSIVE in this same transaction, so building the index inside it adds no new lock window
CREATE INDEX "flowsheet_search_doc_idx" ON "wxyc_schema"."flowsheet" USING gin ("search_doc");
