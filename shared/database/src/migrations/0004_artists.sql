CREATE TABLE "wxyc_schema"."artists" (
	"id" serial PRIMARY KEY NOT NULL,
	"artist_name" varchar(128) NOT NULL,
	"code_letters" varchar(4) NOT NULL,
	"code_artist_number" smallint NOT NULL,
	"genre_id" integer,
	"legacy_artist_id" integer,
	"add_date" date DEFAULT now() NOT NULL,
	CONSTRAINT "artists_legacy_artist_id_unique" UNIQUE("legacy_artist_id"),
	CONSTRAINT "artists_genre_id_genres_id_fk" FOREIGN KEY ("genre_id") REFERENCES "wxyc_schema"."genres"("id") ON DELETE set null ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "artists_genre_id_idx" ON "wxyc_schema"."artists" USING btree ("genre_id");
