-- corpus: ADD COLUMN ... UNIQUE builds its index over 2.6M rows under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error unique-constraint-without-index
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "legacy_key" integer UNIQUE;
