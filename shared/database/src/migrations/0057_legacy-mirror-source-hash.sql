-- Nullable columns for the legacy mirror (catalog-only): the hash of each row's legacy source
-- values as last imported (what the ETLs' verification compares), and flowsheet's legacy link ids.
ALTER TABLE "wxyc_schema"."artists" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "legacy_release_id" integer;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."flowsheet" ADD COLUMN "legacy_rotation_id" integer;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."library" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."rotation" ADD COLUMN "source_hash" bigint;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."shows" ADD COLUMN "source_hash" bigint;