-- HISTORICAL EXCEPTION: applied in production before the DDL-only rule. It mixes DDL with a
-- bulk UPDATE in one transaction, the pattern that wedged production with 0053's first draft.
-- It stays as applied history (editing it is drift); do not copy it. See docs/migrations.md.
ALTER TABLE "auth_user" ADD COLUMN "has_completed_onboarding" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "auth_user" SET "has_completed_onboarding" = true WHERE "dj_name" IS NOT NULL AND "real_name" IS NOT NULL;
