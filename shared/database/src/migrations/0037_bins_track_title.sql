ALTER TABLE "wxyc_schema"."bins" ADD COLUMN "track_title" varchar(128);
