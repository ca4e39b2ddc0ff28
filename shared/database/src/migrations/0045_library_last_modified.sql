ALTER TABLE "wxyc_schema"."library" ADD COLUMN "last_modified" timestamp with time zone DEFAULT now() NOT NULL;
