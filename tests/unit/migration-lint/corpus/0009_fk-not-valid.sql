-- corpus: FOREIGN KEY NOT VALID: no scan; validate later under SHARE UPDATE EXCLUSIVE
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "flowsheet_show_fk" FOREIGN KEY ("show_id") REFERENCES "wxyc_schema"."shows"("id") NOT VALID;
