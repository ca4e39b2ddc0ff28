-- corpus: int -> bigint rewrites the table and every index under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error alter-column-type
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "play_order" SET DATA TYPE bigint;
