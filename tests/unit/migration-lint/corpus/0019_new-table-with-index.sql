-- corpus: a new table and its indexes: nobody else can see it yet
-- expect on 2.6M rows: clean
-- expect on 1,000 rows: clean
CREATE TABLE "wxyc_schema"."plays_daily" ("day" date PRIMARY KEY, "plays" integer NOT NULL);--> statement-breakpoint
CREATE INDEX "plays_daily_plays_idx" ON "wxyc_schema"."plays_daily" ("plays");
