-- corpus: COMMENT ON COLUMN: catalog only
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
COMMENT ON COLUMN "wxyc_schema"."flowsheet"."play_order" IS 'position in the show';
