ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "discogs_release_id" integer;
