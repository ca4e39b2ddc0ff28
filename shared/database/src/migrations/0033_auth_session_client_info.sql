ALTER TABLE "auth_session" ADD COLUMN "ip_address" varchar(255);--> statement-breakpoint
ALTER TABLE "auth_session" ADD COLUMN "user_agent" text;
