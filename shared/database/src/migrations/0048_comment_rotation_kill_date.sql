COMMENT ON COLUMN "wxyc_schema"."rotation"."kill_date" IS 'Day the release left rotation; rows are closed, not deleted';
