-- corpus: now() is stable: evaluated once, no rewrite
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "imported_at" timestamp with time zone DEFAULT now();
