-- corpus: CREATE INDEX without CONCURRENTLY: SHARE lock, writes blocked for the whole build
-- expect on 2.6M rows: error index-not-concurrent
-- expect on 1,000 rows: note
CREATE INDEX "flowsheet_artist_idx" ON "wxyc_schema"."flowsheet" USING btree ("artist_name");
