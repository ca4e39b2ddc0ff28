CREATE TABLE "wxyc_schema"."flowsheet" (
	"id" serial PRIMARY KEY NOT NULL,
	"show_id" integer,
	"album_id" integer,
	"rotation_id" integer,
	"artist_name" varchar(128),
	"album_title" varchar(128),
	"track_title" varchar(128),
	"record_label" varchar(128),
	"play_order" integer NOT NULL,
	"request_flag" boolean DEFAULT false NOT NULL,
	"message" varchar(250),
	"add_time" timestamp with time zone DEFAULT now() NOT NULL,
	"legacy_entry_id" integer,
	CONSTRAINT "flowsheet_legacy_entry_id_unique" UNIQUE("legacy_entry_id"),
	CONSTRAINT "flowsheet_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "wxyc_schema"."shows"("id") ON DELETE set null ON UPDATE no action,
	CONSTRAINT "flowsheet_album_id_library_id_fk" FOREIGN KEY ("album_id") REFERENCES "wxyc_schema"."library"("id") ON DELETE set null ON UPDATE no action,
	CONSTRAINT "flowsheet_rotation_id_rotation_id_fk" FOREIGN KEY ("rotation_id") REFERENCES "wxyc_schema"."rotation"("id") ON DELETE set null ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "flowsheet_show_id_idx" ON "wxyc_schema"."flowsheet" USING btree ("show_id");--> statement-breakpoint
CREATE INDEX "flowsheet_album_id_idx" ON "wxyc_schema"."flowsheet" USING btree ("album_id");--> statement-breakpoint
CREATE INDEX "flowsheet_rotation_id_idx" ON "wxyc_schema"."flowsheet" USING btree ("rotation_id");--> statement-breakpoint
CREATE INDEX "flowsheet_add_time_idx" ON "wxyc_schema"."flowsheet" USING btree ("add_time");
