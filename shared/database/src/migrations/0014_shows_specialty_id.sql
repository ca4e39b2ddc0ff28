-- The foreign key is added NOT VALID (no scan under lock) and validated in 0015.
ALTER TABLE "wxyc_schema"."shows" ADD COLUMN "specialty_id" integer;--> statement-breakpoint
ALTER TABLE "wxyc_schema"."shows" ADD CONSTRAINT "shows_specialty_id_specialty_shows_id_fk" FOREIGN KEY ("specialty_id") REFERENCES "wxyc_schema"."specialty_shows"("id") ON DELETE set null ON UPDATE no action NOT VALID;
