-- rotation-release-id-resolver's columns (issue #26), DDL only: both are added without a rewrite
-- (a constant DEFAULT is catalog-only since PostgreSQL 11). Rows that predate this read
-- discogs_release_id_source = 'legacy' through the DEFAULT: no UPDATE of the table here.
-- Local columns: rotation-etl never writes them. NULL attempted_at: never asked.
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "discogs_release_id_source" text DEFAULT 'legacy';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "discogs_release_id_attempted_at" timestamp with time zone;
