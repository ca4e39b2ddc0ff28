-- corpus: DROP INDEX without CONCURRENTLY: ACCESS EXCLUSIVE while it waits and drops
-- expect on 2.6M rows: error drop-index-not-concurrent
-- expect on 1,000 rows: note
DROP INDEX IF EXISTS "wxyc_schema"."flowsheet_show_id_idx";
