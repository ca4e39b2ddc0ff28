ALTER TABLE "wxyc_schema"."genres" ADD COLUMN "last_modified" timestamp with time zone DEFAULT now() NOT NULL;
