-- corpus: DROP COLUMN of a column schema.ts no longer has (the contract step, one release
-- after the code stopped using it): catalog-only, nothing reads it
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN IF EXISTS "legacy_comment";
