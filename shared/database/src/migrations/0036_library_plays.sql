ALTER TABLE "wxyc_schema"."library" ADD COLUMN "plays" integer DEFAULT 0 NOT NULL;
