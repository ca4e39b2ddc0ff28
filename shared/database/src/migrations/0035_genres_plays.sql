ALTER TABLE "wxyc_schema"."genres" ADD COLUMN "plays" integer DEFAULT 0 NOT NULL;
