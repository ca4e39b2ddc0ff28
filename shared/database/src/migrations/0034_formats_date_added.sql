ALTER TABLE "wxyc_schema"."formats" ADD COLUMN "date_added" date DEFAULT now() NOT NULL;
