ALTER TABLE "wxyc_schema"."shows" ADD COLUMN "legacy_dj_id" integer;
