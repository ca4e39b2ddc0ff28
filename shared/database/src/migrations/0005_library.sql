CREATE TABLE "wxyc_schema"."library" (
	"id" serial PRIMARY KEY NOT NULL,
	"artist_id" integer,
	"genre_id" integer,
	"format_id" integer,
	"album_title" varchar(128) NOT NULL,
	"code_number" smallint NOT NULL,
	"label" varchar(128),
	"notes" text,
	"legacy_release_id" integer,
	"add_date" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "library_legacy_release_id_unique" UNIQUE("legacy_release_id"),
	CONSTRAINT "library_artist_id_artists_id_fk" FOREIGN KEY ("artist_id") REFERENCES "wxyc_schema"."artists"("id") ON DELETE set null ON UPDATE no action,
	CONSTRAINT "library_genre_id_genres_id_fk" FOREIGN KEY ("genre_id") REFERENCES "wxyc_schema"."genres"("id") ON DELETE set null ON UPDATE no action,
	CONSTRAINT "library_format_id_formats_id_fk" FOREIGN KEY ("format_id") REFERENCES "wxyc_schema"."formats"("id") ON DELETE set null ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "library_artist_id_idx" ON "wxyc_schema"."library" USING btree ("artist_id");
