export { runOpsStatus, parseOpsArgs, OPS_STATUS_COMMAND, type OpsArgs } from './cli.js';
export { collectStatus, problemsOf, DEFAULT_THRESHOLDS, type OpsStatus, type StatusThresholds } from './status.js';
export { renderStatus } from './render.js';
export { cronStatus, fmtAge, PROBLEM_VERDICTS, type CronStatus, type CronVerdict } from './cron-status.js';
export { schedulePeriodMs, STATION_TIME_ZONE } from './cron.js';
export { readJobSpecs, parseJobSpec, type JobSpec, type JobType } from './jobs.js';
export { backfillStatus, readBackfills, type BackfillStatus } from './backfills.js';
export { readSessions, type SessionReport, type LockHolder, type SessionInfo } from './sessions.js';
export { readMigrationsStatus, type MigrationsStatus } from './migrations.js';
