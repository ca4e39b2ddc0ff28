COMMENT ON TABLE "wxyc_schema"."cronjob_runs" IS 'One row per cron job: when its last successful tick finished';
