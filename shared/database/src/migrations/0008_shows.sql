CREATE TABLE "wxyc_schema"."shows" (
	"id" serial PRIMARY KEY NOT NULL,
	"primary_dj_id" varchar(255),
	"show_name" varchar(128),
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone,
	"legacy_show_id" integer,
	CONSTRAINT "shows_legacy_show_id_unique" UNIQUE("legacy_show_id"),
	CONSTRAINT "shows_primary_dj_id_auth_user_id_fk" FOREIGN KEY ("primary_dj_id") REFERENCES "public"."auth_user"("id") ON DELETE set null ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "shows_primary_dj_id_idx" ON "wxyc_schema"."shows" USING btree ("primary_dj_id");
