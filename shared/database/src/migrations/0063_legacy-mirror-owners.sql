-- The legacy mirror never undoes local work (issue #25). DDL only, no data touched:
-- 1. Legacy ids retired locally (a merge/de-dup job deleted or repointed the row): a new table,
--    so CREATE TABLE takes no lock on live data. The ETLs' import and verification skip them.
-- 2. 0057's drift triggers follow the column owners declared in each job's legacy-tables.ts: only a
--    `source` column changed outside the import clears source_hash (drift, repaired). The
--    `source-else-local` columns (rotation.discogs_release_id, kill_date, album_id; shows.end_time;
--    flowsheet.album_id, rotation_id; library.format_id) and `local` ones are left out, so a local
--    job's write to them is not drift. CREATE OR REPLACE TRIGGER takes SHARE ROW EXCLUSIVE for a
--    catalog change only (no scan, no rewrite); the hash itself (what verification compares) is unchanged.
CREATE TABLE "wxyc_schema"."legacy_retired_ids" (
	"mirror_table" varchar(64) NOT NULL,
	"legacy_id" integer NOT NULL,
	"reason" text NOT NULL,
	"job" varchar(64) NOT NULL,
	"retired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_hash" bigint,
	CONSTRAINT "legacy_retired_ids_mirror_table_legacy_id_pk" PRIMARY KEY("mirror_table","legacy_id")
);--> statement-breakpoint
CREATE OR REPLACE TRIGGER "flowsheet_legacy_mirror_unhash" BEFORE UPDATE OF "show_id", "entry_type", "artist_name", "album_title", "track_title", "record_label", "message", "play_order", "request_flag", "segue", "add_time", "legacy_release_id", "legacy_rotation_id" ON "wxyc_schema"."flowsheet" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE OR REPLACE TRIGGER "shows_legacy_mirror_unhash" BEFORE UPDATE OF "specialty_id", "show_name", "start_time", "legacy_dj_id", "legacy_dj_name" ON "wxyc_schema"."shows" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE OR REPLACE TRIGGER "artists_legacy_mirror_unhash" BEFORE UPDATE OF "artist_name", "alphabetical_name", "code_letters", "code_artist_number", "add_date", "last_modified", "genre_id" ON "wxyc_schema"."artists" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE OR REPLACE TRIGGER "library_legacy_mirror_unhash" BEFORE UPDATE OF "album_title", "code_number", "alternate_artist_name", "missing", "date_lost", "date_found", "add_date", "last_modified", "artist_id", "genre_id" ON "wxyc_schema"."library" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE OR REPLACE TRIGGER "rotation_legacy_mirror_unhash" BEFORE UPDATE OF "rotation_bin", "artist_name", "album_title", "record_label", "add_date", "last_modified" ON "wxyc_schema"."rotation" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();
