CREATE TABLE "wxyc_schema"."rotation" (
	"id" serial PRIMARY KEY NOT NULL,
	"album_id" integer,
	"rotation_bin" "wxyc_schema"."freq_enum" NOT NULL,
	"legacy_rotation_id" integer,
	"add_date" date DEFAULT now() NOT NULL,
	"kill_date" date,
	CONSTRAINT "rotation_legacy_rotation_id_unique" UNIQUE("legacy_rotation_id"),
	CONSTRAINT "rotation_album_id_library_id_fk" FOREIGN KEY ("album_id") REFERENCES "wxyc_schema"."library"("id") ON DELETE set null ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "rotation_album_id_idx" ON "wxyc_schema"."rotation" USING btree ("album_id");
