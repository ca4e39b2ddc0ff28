-- Run history of every job (src/run-history): a new table, so CREATE TABLE and its index take no lock on live data.
CREATE TABLE "wxyc_schema"."job_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"job_name" varchar(64) NOT NULL,
	"kind" varchar(16) NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" varchar(16),
	"exit_code" integer,
	"error" text,
	"host" varchar(255) NOT NULL,
	"image_version" varchar(128),
	"backend_pid" integer,
	"backend_start" timestamp with time zone,
	"rows_read" bigint,
	"rows_written" bigint,
	"rows_skipped" bigint
);
--> statement-breakpoint
CREATE INDEX "job_runs_job_name_started_at_idx" ON "wxyc_schema"."job_runs" USING btree ("job_name","started_at");