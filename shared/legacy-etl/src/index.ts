export { BadRows } from './bad-rows.js';
export {
  intCell,
  positiveIntCell,
  flagCell,
  textCell,
  firstUsableTime,
  FUTURE_SLACK_MS,
  STATION_TIME_ZONE,
  stationDate,
  type LegacyValue,
  type RowRef,
} from './cells.js';
export { readEtlConfig, type EtlConfig } from './config.js';
export { connectLegacy, legacyUrlFromEnv, type LegacySource, type LegacyRow, type ExplainRow } from './mysql-source.js';
export { pagesById } from './paging.js';
export { IdSet } from './id-set.js';
export { upsertBatch, type UpsertSpec, type UpsertResult } from './upsert.js';
export { readWatermark, saveCursor, finishTick, type Watermark } from './watermark.js';
export { withTickLock, assertTickLock, type LockOutcome } from './tick-lock.js';
export { runEtl, type EtlContext, type RunEtlOptions } from './run-etl.js';
export { mirrorEtlMain, type MirrorEtlSpec } from './mirror-etl-main.js';
export { DumpTokenizer, DumpSyntaxError, type Token, type TokenKind } from './dump-tokens.js';
export { DumpParser, readDumpRows, type DumpRow, type DumpValue, type DumpReadOptions } from './dump-rows.js';
export {
  advance,
  advanceNew,
  emptyTableCursor,
  MAX_OUTLIERS,
  newestStamp,
  nextModifiedMark,
  rebaseOutlier,
  type TableCursor,
  type SweepState,
} from './table-cursor.js';
export {
  legacyQueries,
  rangeSumsParams,
  SOURCE_CLOCK_SQL,
  type LegacyQueries,
  type LegacyTableSpec,
} from './legacy-sql.js';
export { followMerges, idsByLegacyId, lastPerId } from './lookup.js';
export { syncTables, writePage, type SyncedTable, type TableTotals } from './sync-tables.js';
export { sourceHash, sourceHashSql } from './source-hash.js';
export { verifyTable, verifyTables, verifySummary, type VerifyOptions, type VerifyTotals } from './verify.js';
export {
  FANOUT,
  allowedDeletes,
  bucketRange,
  diffHashes,
  groupSums,
  listWhole,
  pairBuckets,
  pairRanges,
  rangesOf,
  sameSum,
  slicePlan,
  sliceRanges,
  subWidth,
  tickSlice,
  type BucketPair,
  type GroupedSums,
  type RangePairs,
  type SlicePlan,
  type SliceBudget,
  type IdRange,
  type RangeSum,
  type RowDiff,
  type DeleteRails,
} from './verify-plan.js';
export type { MirrorSpec } from './mirror-pg.js';
export { withVerifyAhead, type SliceAhead } from './verify-ahead.js';
export {
  etlCommand,
  readEtlArgs,
  verifyMode,
  parseDeletedRange,
  type VerifyMode,
  type DeletedRange,
} from './verify-args.js';
export {
  checkOwners,
  driftColumns,
  mirrorTable,
  ownedBy,
  OWNERS,
  type ColumnOwner,
  type MirrorTable,
} from './owners.js';
export { upsertMirror } from './mirror-write.js';
export {
  retireLegacyIds,
  retiredAmong,
  successorsOf,
  MIRROR_KEYS,
  RETIRED_TABLE,
  type RetireRequest,
} from './retired.js';
export { onePerId, DUPLICATE_REASON } from './duplicates.js';
