ALTER TABLE "wxyc_schema"."show_djs" ADD COLUMN "active" boolean DEFAULT true NOT NULL;
