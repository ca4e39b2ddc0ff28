import { intEnv } from '@wxyc/job-runtime';
import { databaseUrlFromEnv } from '@wxyc/database';
import { legacyUrlFromEnv } from './mysql-source.js';

type Env = Record<string, string | undefined>;

/** The env every legacy ETL reads; documented in shared/legacy-etl/README.md. */
export interface EtlConfig {
  databaseUrl: string;
  /** null when the mode needs no MySQL (a bulk load from a dump file). */
  legacyUrl: string | null;
  /** Rows per MySQL page and per PostgreSQL transaction. */
  batchSize: number;
  /** How many of the most recent legacy ids are checked for edits (TIME_LAST_MODIFIED) each tick. */
  editWindowIds: number;
  /** New rows imported per table per tick at most; the rest follows on the next tick. */
  maxRowsPerTick: number;
  /** Older ids (below the edit window) re-checked for edits per tick, in tables that are swept (syncTables). */
  sweepIds: number;
  /** How far behind the tick's start (source clock) the edit mark stays: the legacy writers' clock skew. */
  modifiedOverlapMs: number;
  /** An id more than this above the rows before it is an outlier: imported, but the cursor does not jump to it (0: off). */
  outlierGapIds: number;
  /** Ids per top-level range of the verification (a range that differs is split). */
  verifyRangeIds: number;
  /** Legacy ids checksummed per mirrored table per tick at most (0: no verification in ticks). */
  verifyRowsPerTick: number;
  /** Ticks a full verification lap of a table is sized to (0: every tick checks verifyRowsPerTick). */
  verifyLapTicks: number;
  /** Rows gone from MySQL deleted per table per tick (or on-demand pass) at most... */
  verifyMaxDeletes: number;
  /** ...and at most this percentage of the rows checked. */
  verifyMaxDeletePct: number;
}

/** Reads and checks everything before any connection is made (missing/invalid env: exit 2). */
export function readEtlConfig(env: Env = process.env, opts: { needLegacy: boolean } = { needLegacy: true }): EtlConfig {
  return {
    databaseUrl: databaseUrlFromEnv(env),
    legacyUrl: opts.needLegacy ? legacyUrlFromEnv(env) : null,
    batchSize: intEnv(env, 'ETL_BATCH_SIZE', { default: 1000, min: 1, max: 5000 }),
    editWindowIds: intEnv(env, 'ETL_EDIT_WINDOW_IDS', { default: 20_000, min: 0, max: 1_000_000 }),
    maxRowsPerTick: intEnv(env, 'ETL_MAX_ROWS_PER_TICK', { default: 500_000, min: 1 }),
    sweepIds: intEnv(env, 'ETL_SWEEP_IDS', { default: 50_000, min: 0, max: 1_000_000 }),
    modifiedOverlapMs: intEnv(env, 'ETL_MODIFIED_OVERLAP_S', { default: 600, min: 0, max: 86_400 }) * 1000,
    outlierGapIds: intEnv(env, 'ETL_OUTLIER_GAP_IDS', { default: 1_000_000, min: 0, max: 2_147_483_647 }),
    verifyRangeIds: intEnv(env, 'ETL_VERIFY_RANGE_IDS', { default: 4096, min: 64, max: 1_000_000 }),
    verifyRowsPerTick: intEnv(env, 'ETL_VERIFY_ROWS_PER_TICK', { default: 60_000, min: 0, max: 10_000_000 }),
    verifyLapTicks: intEnv(env, 'ETL_VERIFY_LAP_TICKS', { default: 48, min: 0, max: 100_000 }),
    verifyMaxDeletes: intEnv(env, 'ETL_VERIFY_MAX_DELETES', { default: 1000, min: 0, max: 1_000_000 }),
    verifyMaxDeletePct: intEnv(env, 'ETL_VERIFY_MAX_DELETE_PCT', { default: 5, min: 0, max: 100 }),
  };
}
