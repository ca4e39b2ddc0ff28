ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "segue" boolean DEFAULT false NOT NULL;
