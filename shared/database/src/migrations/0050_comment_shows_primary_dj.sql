COMMENT ON COLUMN "wxyc_schema"."shows"."primary_dj_id" IS 'The DJ account that signed the show on; NULL for legacy shows without an account';
