ALTER TYPE "wxyc_schema"."flowsheet_entry_type" ADD VALUE 'dj_join' AFTER 'show_end';--> statement-breakpoint
ALTER TYPE "wxyc_schema"."flowsheet_entry_type" ADD VALUE 'dj_leave' AFTER 'dj_join';
