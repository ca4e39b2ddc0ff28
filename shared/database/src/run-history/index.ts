export { runHistory, type RunHistoryOptions } from './recorder.js';
export { readHistorySettings, scrubError, type HistorySettings, type RunKind } from './settings.js';
export { HISTORY_TABLE, pruneRuns, historyTable, type HistoryTable } from './store.js';
export {
  latestRuns,
  junkRuns,
  hostClocks,
  NEVER_FINISHED_AFTER_S,
  JUNK_AFTER_YEARS,
  CLOCK_SKEW_LIMIT_S,
  type LatestRun,
  type RunState,
  type JunkRun,
  type HostClock,
} from './latest.js';
