ALTER TABLE "wxyc_schema"."library" ADD COLUMN "alternate_artist_name" varchar(128);
