ALTER TABLE "wxyc_schema"."artists" ADD COLUMN "alphabetical_name" varchar(128);
