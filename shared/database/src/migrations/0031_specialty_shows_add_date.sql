ALTER TABLE "wxyc_schema"."specialty_shows" ADD COLUMN "add_date" date DEFAULT now() NOT NULL;
