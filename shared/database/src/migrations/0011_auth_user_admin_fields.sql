ALTER TABLE "auth_user" ADD COLUMN "role" varchar(255);--> statement-breakpoint
ALTER TABLE "auth_user" ADD COLUMN "banned" boolean;--> statement-breakpoint
ALTER TABLE "auth_user" ADD COLUMN "ban_reason" text;--> statement-breakpoint
ALTER TABLE "auth_user" ADD COLUMN "ban_expires" timestamp with time zone;
