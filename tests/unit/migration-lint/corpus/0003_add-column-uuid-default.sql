-- corpus: gen_random_uuid() is volatile: rewrites 2.6M rows under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error add-column-volatile-default
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid();
