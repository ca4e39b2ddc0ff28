-- Nullable jsonb column for the legacy ETLs' cursor (where each job got to): catalog-only change.
ALTER TABLE "wxyc_schema"."cronjob_runs" ADD COLUMN "cursor" jsonb;
