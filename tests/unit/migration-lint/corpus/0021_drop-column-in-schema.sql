-- corpus: DROP COLUMN of a column schema.ts still has: catalog-only (ACCESS EXCLUSIVE for
-- milliseconds), but every backend query naming record_label fails from the COMMIT on
-- expect on 2.6M rows: error drop-in-schema
-- expect on 1,000 rows: error drop-in-schema
ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN "record_label";
