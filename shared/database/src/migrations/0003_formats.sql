CREATE TABLE "wxyc_schema"."formats" (
	"id" serial PRIMARY KEY NOT NULL,
	"format_name" varchar(64) NOT NULL,
	"legacy_format_id" integer,
	CONSTRAINT "formats_legacy_format_id_unique" UNIQUE("legacy_format_id")
);
