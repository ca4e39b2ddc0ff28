CREATE TABLE "wxyc_schema"."cronjob_runs" (
	"job_name" varchar(64) PRIMARY KEY NOT NULL,
	"last_run" timestamp with time zone NOT NULL
);
