-- HISTORICAL EXCEPTION: applied in production before the DDL-only rule. It mixes DDL with a
-- bulk UPDATE in one transaction, the pattern that wedged production with 0053's first draft.
-- It stays as applied history (editing it is drift); do not copy it. See docs/migrations.md.
CREATE TYPE "wxyc_schema"."flowsheet_entry_type" AS ENUM('track', 'show_start', 'show_end', 'talkset', 'breakpoint', 'message');--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "entry_type" "wxyc_schema"."flowsheet_entry_type";--> statement-breakpoint
UPDATE "wxyc_schema"."flowsheet" SET "entry_type" = (CASE
	WHEN "message" ILIKE 'START OF SHOW%' THEN 'show_start'
	WHEN "message" ILIKE 'END OF SHOW%' THEN 'show_end'
	WHEN "message" ILIKE '%talkset%' THEN 'talkset'
	WHEN "message" ILIKE '%breakpoint%' THEN 'breakpoint'
	WHEN coalesce("message", '') <> '' THEN 'message'
	ELSE 'track'
END)::"wxyc_schema"."flowsheet_entry_type";--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "entry_type" SET DEFAULT 'track';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "entry_type" SET NOT NULL;
