CREATE TABLE "wxyc_schema"."specialty_shows" (
	"id" serial PRIMARY KEY NOT NULL,
	"specialty_name" varchar(128) NOT NULL,
	"description" text,
	"legacy_specialty_id" integer,
	CONSTRAINT "specialty_shows_legacy_specialty_id_unique" UNIQUE("legacy_specialty_id")
);
