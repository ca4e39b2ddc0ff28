-- A merge records which legacy row absorbed the one it retired (issue #25): the mirror then links
-- new and re-imported rows that name the retired id (an entry of a merged show, a play of a
-- merged release) to the successor instead of leaving them waiting for a row that never returns.
-- DDL only: a nullable column without a DEFAULT is catalog-only; the table is small.
ALTER TABLE "wxyc_schema"."legacy_retired_ids" ADD COLUMN "successor_id" integer;
