-- corpus: FOREIGN KEY without NOT VALID: scans 2.6M rows under SHARE ROW EXCLUSIVE, on shows too
-- (150,000 rows): an error even when flowsheet is small, since writes to shows wait as well
-- expect on 2.6M rows: error constraint-not-valid
-- expect on 1,000 rows: error constraint-not-valid
ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "flowsheet_show_fk" FOREIGN KEY ("show_id") REFERENCES "wxyc_schema"."shows"("id");
