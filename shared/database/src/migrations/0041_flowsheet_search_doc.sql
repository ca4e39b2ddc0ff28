-- Adding a STORED generated column rewrites the table: it opts in to a longer
-- statement timeout for this migration only (SET LOCAL ends with the transaction).
SET LOCAL statement_timeout = '30min';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "search_doc" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', coalesce(artist_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(track_title, '')), 'B') || setweight(to_tsvector('simple', coalesce(album_title, '')), 'C') || setweight(to_tsvector('simple', coalesce(record_label, '')), 'D')) STORED;--> statement-breakpoint
-- migrate-lint allow index-not-concurrent: the ADD COLUMN above rewrites flowsheet under ACCESS EXCLUSIVE in this same transaction, so building the index inside it adds no new lock window
CREATE INDEX "flowsheet_search_doc_idx" ON "wxyc_schema"."flowsheet" USING gin ("search_doc");
