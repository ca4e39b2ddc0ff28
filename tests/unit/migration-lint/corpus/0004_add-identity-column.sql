-- corpus: identity column: nextval() per row, full rewrite
-- expect on 2.6M rows: error add-column-volatile-default
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "seq" bigint GENERATED ALWAYS AS IDENTITY;
