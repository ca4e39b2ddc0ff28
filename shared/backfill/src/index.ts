export type { BackfillDefinition } from './definition.js';
export { runBackfill, type RunOptions, type RunSummary, type BatchReport } from './runner.js';
export { applyOutcome, OPTIMISTIC_LOCK_TIMEOUT_MS, type Handled } from './attempt.js';
export {
  batchStatement,
  optimisticStatement,
  parseOutcome,
  type BatchScope,
  type BatchOutcome,
  type UnresolvedGroup,
  type WritePlan,
} from './batch-sql.js';
export { columnTypes, type ColumnType } from './columns.js';
export { recoveryFor, usesAttempt, connectionLost, isDataError, type Recovery } from './policy.js';
export { parkedGroups, parkedIn, halves, type ParkedRow, type ParkedGroup } from './parking.js';
export { lockBusyMessage, tickSkipLine, LockBusy, CLIENT_CHECK_INTERVAL_MS, type LockHolder } from './session.js';
export { nextBatchSize, sizeAfterTimeout, initialBatchSize, MIN_BATCH_SIZE, MAX_BATCH_SIZE } from './sizing.js';
export { pauseReason, lockWaitersOf, replicaLagMs, type Pressure } from './backoff.js';
export { batchLine, formatDuration, etaMs, percentile, walkDoneLine } from './format.js';
export {
  STATE_TABLE,
  ensureStateTable,
  loadState,
  freshState,
  type RunState,
  type RunStatus,
  type TableCounts,
} from './state.js';
export { checkDbStatementTimeout, MIN_DB_STATEMENT_TIMEOUT_MS, BACKFILL_FLAGS } from './settings.js';
export { definitionProblem, isDestructive, type BackfillMode, type CandidateLimits } from './definition.js';
export { limitProblem, EXIT_LIMITS } from './limits.js';
export { analyzeIfChanged, pendingNow, DEFAULT_ANALYZE_SHARE } from './finish.js';
export type { PauseCapAction } from './engine/pauses.js';
export { runLookupBackfill, type LookupRunOptions, type LookupSummary } from './lookup-runner.js';
export { lostTooOften } from './reconnect.js';
export { runTask, markEnded, type TaskRunOptions, type TaskSummary } from './engine/run.js';
export { taskProblem, keyColumns, type Task, type OrderColumn, type ResolveContext } from './engine/task.js';
export {
  isSourceTask,
  sourceTaskProblem,
  stagedCounts,
  nextSourceState,
  type SourceTask,
  type StagedStep,
} from './engine/source-step.js';
export { outcome, changes, type Outcome, type SideWrite, type Merge } from './engine/outcome.js';
export { eachRow, held } from './engine/resolve.js';
export { eachBulk, planRequests, VerdictCache, type BulkLookup } from './engine/bulk.js';
export { walkColumns, afterPosition, keyId, numericKey, type KeySpec, type KeyText } from './engine/keys.js';
export { coalesce } from './engine/side.js';
export { nextState, parkedOf, DEFAULT_PARK_MS, MAX_PARK_MS } from './engine/progress.js';
export { dueParked } from './engine/pipeline.js';
export { lookupTask } from './lookup-runner.js';
export { lookupDefinitionProblem, type LookupBackfillDefinition } from './lookup-definition.js';
export {
  ApiLimiter,
  DEFAULT_LIMITER,
  LookupFailed,
  CircuitOpen,
  type LimiterSettings,
  type LimitedFetch,
} from './limiter.js';
export { LookupCache, resolveRows, type Resolution } from './lookup-resolve.js';
export { TokenBucket } from './token-bucket.js';
export { Semaphore } from './concurrency.js';
export { CircuitBreaker, type CircuitState } from './circuit.js';
export { isRetryableStatus, retryAfterMs, backoffDelayMs, nextDelayMs, MAX_RETRY_AFTER_MS } from './retry.js';
export {
  httpCall,
  CallFailed,
  causeOf,
  lookupAgents,
  type HttpAnswer,
  type HttpRequest,
  type CallOptions,
} from './http-call.js';
export { AbortScope } from './abort-scope.js';
export { TokenGate } from './token-gate.js';
export { parkedLookup, LOOKUP_FAILED } from './parking.js';
export {
  readBackfillSettings,
  backfillCommand,
  BACKFILL_ENV,
  type BackfillSettings,
  type BackfillHelp,
} from './job-config.js';
export {
  runBackfillJob,
  runTaskJob,
  TASK_ENV,
  runOptionsOf,
  frameHooks,
  type BackfillJob,
  type TaskJob,
  type BackfillJobContext,
} from './job.js';
export { taskStatus, type TaskStatus } from './engine/status.js';
export * from './sources/index.js';
