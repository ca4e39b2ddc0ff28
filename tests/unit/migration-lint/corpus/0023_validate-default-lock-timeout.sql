-- corpus: VALIDATE CONSTRAINT alone under the runner's 2s lock_timeout: SHARE UPDATE EXCLUSIVE
-- blocks nobody, but a VACUUM of 2.6M rows holds the same lock for minutes, so the wait fails
-- (55P03) and the runner retries for nothing
-- expect on 2.6M rows: error lock-timeout-not-raised
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" VALIDATE CONSTRAINT "flowsheet_show_fk";
