export { runHistory, type RunHistoryOptions } from './recorder.js';
export { readHistorySettings, scrubError, type HistorySettings, type RunKind } from './settings.js';
export { HISTORY_TABLE, pruneRuns } from './store.js';
export { latestRuns, NEVER_FINISHED_AFTER_S, type LatestRun, type RunState } from './latest.js';
