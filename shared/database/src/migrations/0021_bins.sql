CREATE TABLE "wxyc_schema"."bins" (
	"id" serial PRIMARY KEY NOT NULL,
	"dj_id" varchar(255) NOT NULL,
	"album_id" integer NOT NULL,
	CONSTRAINT "bins_dj_id_auth_user_id_fk" FOREIGN KEY ("dj_id") REFERENCES "public"."auth_user"("id") ON DELETE cascade ON UPDATE no action,
	CONSTRAINT "bins_album_id_library_id_fk" FOREIGN KEY ("album_id") REFERENCES "wxyc_schema"."library"("id") ON DELETE cascade ON UPDATE no action
);--> statement-breakpoint
CREATE INDEX "bins_dj_id_idx" ON "wxyc_schema"."bins" USING btree ("dj_id");
