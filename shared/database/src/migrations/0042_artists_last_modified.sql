ALTER TABLE "wxyc_schema"."artists" ADD COLUMN "last_modified" timestamp with time zone DEFAULT now() NOT NULL;
