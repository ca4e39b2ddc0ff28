-- corpus: 0054-style rewrite that opted in to a longer timeout: still a full rewrite
-- expect on 2.6M rows: error index-not-concurrent
-- expect on 1,000 rows: note
SET LOCAL statement_timeout = '30min';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "doc" tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(artist_name, ''))) STORED;--> statement-breakpoint
CREATE INDEX "flowsheet_doc_idx" ON "wxyc_schema"."flowsheet" USING gin ("doc");
