-- corpus: catalog-only since PG11: the default is stored once, no rewrite
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "reviewed" boolean DEFAULT false NOT NULL;
