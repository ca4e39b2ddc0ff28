-- Nullable columns for the legacy mirror (catalog-only): the hash of each row's legacy source
-- values as last imported (what the ETLs' verification compares), and flowsheet's legacy link ids.
ALTER TABLE "wxyc_schema"."artists" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "legacy_release_id" integer;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "legacy_rotation_id" integer;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."library" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."shows" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
-- A write that changes a mirrored row's data without setting a new source_hash (anything but
-- the ETL's import: a hand edit, another job) clears the hash, so verification re-imports it.
CREATE OR REPLACE FUNCTION "wxyc_schema"."legacy_mirror_unhash"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.source_hash IS NOT DISTINCT FROM OLD.source_hash THEN
    NEW.source_hash := NULL;
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "flowsheet_legacy_mirror_unhash" BEFORE UPDATE OF "entry_type", "artist_name", "album_title", "track_title", "record_label", "message", "play_order", "request_flag", "segue", "add_time" ON "wxyc_schema"."flowsheet" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE TRIGGER "shows_legacy_mirror_unhash" BEFORE UPDATE OF "show_name", "start_time", "end_time", "legacy_dj_id", "legacy_dj_name" ON "wxyc_schema"."shows" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE TRIGGER "artists_legacy_mirror_unhash" BEFORE UPDATE OF "artist_name", "alphabetical_name", "code_letters", "code_artist_number", "add_date" ON "wxyc_schema"."artists" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE TRIGGER "library_legacy_mirror_unhash" BEFORE UPDATE OF "album_title", "code_number", "alternate_artist_name", "missing", "date_lost", "date_found", "add_date" ON "wxyc_schema"."library" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();--> statement-breakpoint
CREATE TRIGGER "rotation_legacy_mirror_unhash" BEFORE UPDATE OF "rotation_bin", "artist_name", "album_title", "record_label", "discogs_release_id", "add_date", "kill_date" ON "wxyc_schema"."rotation" FOR EACH ROW EXECUTE FUNCTION "wxyc_schema"."legacy_mirror_unhash"();
