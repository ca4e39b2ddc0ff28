COMMENT ON COLUMN "wxyc_schema"."artists"."code_letters" IS 'Call letters of the card catalogue (legacy LIBRARY_CODE.CALL_LETTERS)';
