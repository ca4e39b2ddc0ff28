-- DDL only: a nullable column with no default is a catalog change, no table rewrite.
-- The values are filled by the one-shot job jobs/backfills/flowsheet-dj-name-backfill/
-- (runbook: docs/runbooks/flowsheet-dj-name-backfill.md), never by a migration:
-- the first draft of this file also UPDATEd all 2.6M rows and wedged production for 13 hours.
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "dj_name" text;
