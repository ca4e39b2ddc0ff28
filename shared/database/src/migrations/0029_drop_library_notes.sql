-- notes was never filled by the legacy import; dropping a column is metadata-only.
ALTER TABLE "wxyc_schema"."library" DROP COLUMN "notes";
