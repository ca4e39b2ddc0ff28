ALTER TABLE "wxyc_schema"."library" ADD COLUMN "missing" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."library" ADD COLUMN "date_lost" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."library" ADD COLUMN "date_found" timestamp with time zone;
