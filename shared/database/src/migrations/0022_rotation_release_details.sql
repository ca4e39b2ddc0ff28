ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "artist_name" varchar(128);--> statement-breakpoint
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "album_title" varchar(128);--> statement-breakpoint
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "record_label" varchar(128);
