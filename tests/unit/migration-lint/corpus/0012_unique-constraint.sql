-- corpus: ADD UNIQUE builds its index under ACCESS EXCLUSIVE
-- expect on 2.6M rows: error unique-constraint-without-index
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "flowsheet_legacy_uq" UNIQUE ("legacy_entry_id");
