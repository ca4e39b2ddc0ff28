ALTER TABLE "auth_user" ADD COLUMN "real_name" varchar(255);--> statement-breakpoint
ALTER TABLE "auth_user" ADD COLUMN "dj_name" varchar(255);
