COMMENT ON TABLE "wxyc_schema"."bins" IS 'Each DJ''s personal bin of releases to play';
