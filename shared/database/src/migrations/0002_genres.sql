CREATE TABLE "wxyc_schema"."genres" (
	"id" serial PRIMARY KEY NOT NULL,
	"genre_name" varchar(64) NOT NULL,
	"description" text,
	"legacy_genre_id" integer,
	"add_date" date DEFAULT now() NOT NULL,
	CONSTRAINT "genres_legacy_genre_id_unique" UNIQUE("legacy_genre_id")
);
