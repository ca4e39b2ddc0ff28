-- corpus: ADD CHECK NOT VALID then VALIDATE in one transaction: the scan runs under the ADD's lock
-- expect on 2.6M rows: error validate-in-same-migration
-- expect on 1,000 rows: note
ALTER TABLE "wxyc_schema"."flowsheet" ADD CONSTRAINT "po_nonneg" CHECK ("play_order" >= 0) NOT VALID;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" VALIDATE CONSTRAINT "po_nonneg";
