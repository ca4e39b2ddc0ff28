-- corpus: SET NOT NULL scans 2.6M rows under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error set-not-null-without-check
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ALTER COLUMN "artist_name" SET NOT NULL;
