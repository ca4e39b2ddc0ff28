export {
  traceMigrations,
  DEFAULT_BUDGET_MS,
  DEFAULT_BIG_TABLE_ROWS,
  TRACE_SERVER_SETTINGS,
  type TraceOptions,
  type TraceReport,
} from './trace.js';
export { measureMigration, measureRepeated, applyPlain, TraceStatementError } from './measure.js';
export {
  extrapolate,
  extrapolateRepeats,
  fitLinear,
  predictMs,
  totalMs,
  type LinearFit,
  type MeasuredMigration,
  type MeasuredStatement,
  type MigrationReport,
  type StatementReport,
  type LockHold,
  type TableRows,
} from './extrapolate.js';
export { diffSnapshots, type StatementEffects, type TakenLock, type TableScan } from './effects.js';
export { takeSnapshot, type CatalogSnapshot, type RelationState } from './snapshot.js';
export { blocksReads, blocksWrites, lockName, LOCK_MODES } from './locks.js';
export { formatTraceReport } from './format.js';
export { PREPARE_STEPS, prepareStepFor, type PrepareStep } from './prepare.js';
export { runTraceCli, parseMs, parseCount, migrationsAtRef, TRACE_EXIT } from './cli.js';
