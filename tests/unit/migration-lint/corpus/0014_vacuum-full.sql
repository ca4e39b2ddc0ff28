-- corpus: VACUUM FULL rewrites the table under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error vacuum-full-or-cluster
-- expect on 1,000 rows: note
VACUUM FULL "wxyc_schema"."flowsheet";
