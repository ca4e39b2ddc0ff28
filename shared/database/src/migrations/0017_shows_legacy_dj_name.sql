ALTER TABLE "wxyc_schema"."shows" ADD COLUMN "legacy_dj_name" varchar(128);
