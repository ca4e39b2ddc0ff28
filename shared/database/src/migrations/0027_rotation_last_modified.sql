-- now() is stable, not volatile: PostgreSQL stores it once as a fast default, no rewrite.
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "last_modified" timestamp with time zone DEFAULT now() NOT NULL;
