-- corpus: catalog-only: ACCESS EXCLUSIVE for milliseconds, no rewrite
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "dj_name" text;
