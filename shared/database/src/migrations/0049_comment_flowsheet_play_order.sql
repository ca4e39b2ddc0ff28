COMMENT ON COLUMN "wxyc_schema"."flowsheet"."play_order" IS 'Position within the show (legacy SEQUENCE_WITHIN_SHOW)';
