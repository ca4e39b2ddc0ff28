export type { BackfillDefinition } from './definition.js';
export { runBackfill, applyOutcome, type RunOptions, type RunSummary, type BatchReport } from './runner.js';
export { batchStatement, parseOutcome, type BatchScope, type BatchOutcome, type UnresolvedGroup } from './batch-sql.js';
export { nextBatchSize, sizeAfterTimeout, initialBatchSize, MIN_BATCH_SIZE, MAX_BATCH_SIZE } from './sizing.js';
export { pauseReason, lockWaitersOf, replicaLagMs, type Pressure } from './backoff.js';
export { batchLine, formatDuration, etaMs, percentile } from './format.js';
export { STATE_TABLE, ensureStateTable, loadState, type RunState, type RunStatus } from './state.js';
