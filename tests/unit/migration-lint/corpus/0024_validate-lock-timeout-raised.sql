-- corpus: VALIDATE CONSTRAINT with lock_timeout raised for this migration only: it may wait a
-- minute behind a VACUUM while reads and writes go on, then scans 2.6M rows under SHARE UPDATE EXCLUSIVE
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
SET LOCAL lock_timeout = '1min';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" VALIDATE CONSTRAINT "flowsheet_show_fk";
