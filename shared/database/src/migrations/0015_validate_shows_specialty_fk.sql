-- VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on while it scans.
ALTER TABLE "wxyc_schema"."shows" VALIDATE CONSTRAINT "shows_specialty_id_specialty_shows_id_fk";
