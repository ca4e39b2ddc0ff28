-- corpus: lock_timeout raised to 1min before ADD COLUMN: behind one long read the ALTER queues
-- for a minute with every query of flowsheet queued behind it (the wedge, for 60 s at a time)
-- expect on 2.6M rows: error lock-timeout-raised-for-blocking-lock
-- expect on 1,000 rows: error lock-timeout-raised-for-blocking-lock
SET LOCAL lock_timeout = '1min';--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "note" text;
