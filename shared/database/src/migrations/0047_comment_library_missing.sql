COMMENT ON COLUMN "wxyc_schema"."library"."missing" IS 'Lost from the shelves (legacy DATE_LOST set and not found since); never deleted';
