COMMENT ON COLUMN "wxyc_schema"."shows"."legacy_show_id" IS 'FLOWSHEET_RADIO_SHOW_PROD.ID in the legacy system';--> statement-breakpoint
COMMENT ON COLUMN "wxyc_schema"."flowsheet"."legacy_entry_id" IS 'FLOWSHEET_ENTRY_PROD.ID in the legacy system';
