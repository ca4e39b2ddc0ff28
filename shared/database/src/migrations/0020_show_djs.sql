CREATE TABLE "wxyc_schema"."show_djs" (
	"show_id" integer NOT NULL,
	"dj_id" varchar(255) NOT NULL,
	CONSTRAINT "show_djs_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "wxyc_schema"."shows"("id") ON DELETE cascade ON UPDATE no action,
	CONSTRAINT "show_djs_dj_id_auth_user_id_fk" FOREIGN KEY ("dj_id") REFERENCES "public"."auth_user"("id") ON DELETE cascade ON UPDATE no action
);--> statement-breakpoint
CREATE UNIQUE INDEX "show_djs_show_id_dj_id_key" ON "wxyc_schema"."show_djs" USING btree ("show_id","dj_id");
