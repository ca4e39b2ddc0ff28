-- corpus: SET lock_timeout = 0 stays for every later migration: the next ALTER waits forever
-- expect on 2.6M rows: error session-setting
-- expect on 1,000 rows: error session-setting
SET lock_timeout = 0;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "x" text;
