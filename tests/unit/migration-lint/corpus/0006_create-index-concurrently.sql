-- migrate:no-transaction
-- corpus: CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, writes go on
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
CREATE INDEX CONCURRENTLY IF NOT EXISTS "flowsheet_artist_idx" ON "wxyc_schema"."flowsheet" USING btree ("artist_name");
