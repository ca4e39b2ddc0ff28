-- corpus: 0053's first draft: UPDATE of 2.6M rows next to the ADD COLUMN (the 13-hour wedge)
-- expect on 2.6M rows: error dml-with-ddl
-- expect on 1,000 rows: error dml-with-ddl
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "dj_name" text;--> statement-breakpoint
UPDATE "wxyc_schema"."flowsheet" SET "dj_name" = 'unknown';
