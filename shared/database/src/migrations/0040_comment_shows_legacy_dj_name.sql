COMMENT ON COLUMN "wxyc_schema"."shows"."legacy_dj_name" IS 'DJ_HANDLE (on-air name) from the legacy system; never the DJ''s real name';
