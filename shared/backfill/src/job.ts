import type { Sql } from 'postgres';
import { createDbClient, databaseUrlFromEnv, maskUrl } from '@wxyc/database';
import { EXIT, countRows, readArgs, runJob, shutdownSignal, type Logger, type RunHook } from '@wxyc/job-runtime';
import type { BackfillDefinition } from './definition.js';
import { backfillCommand, type BackfillHelp, type BackfillSettings } from './job-config.js';
import { runBackfill, type RunOptions, type RunSummary } from './runner.js';

type Env = Record<string, string | undefined>;

export interface BackfillJobContext<C> {
  sql: Sql;
  log: Logger;
  config: C;
}

/** A backfill job, declared: what differs between jobs. The frame (runBackfillJob) does the rest. */
export interface BackfillJob<C extends BackfillSettings> {
  /** The job's name: application_name of its connections. */
  name: string;
  /** Its settings: readBackfillSettings plus its own. */
  readConfig(env: Env, argv: readonly string[]): C;
  /** What --help says beyond the shared flags and settings. */
  help: BackfillHelp;
  /** statement_timeout of the pool's own queries (start-up counts, the final check); DB_STATEMENT_TIMEOUT_MS overrides. */
  poolStatementTimeoutMs?: number;
  hooks?: RunHook[];
  /** Said after the database line and in the resume hint (e.g. ` --refresh`). */
  mode?(config: C): string;
  /** Checks before the run; a number ends the job there with that exit code (e.g. nothing to do). */
  before?(ctx: BackfillJobContext<C>): Promise<number | void>;
  definition(config: C): BackfillDefinition;
  /** Run options beyond the shared settings (e.g. a fallback). */
  options?(config: C): Partial<RunOptions>;
  /** After a run that was not interrupted: its summary and final check; returns the exit code. */
  finish(ctx: BackfillJobContext<C>, summary: RunSummary): Promise<number>;
}

/** The run options the shared settings give. */
export function runOptionsOf(c: BackfillSettings): Omit<RunOptions, 'sql' | 'log'> {
  return {
    batchSize: c.batchSize,
    targetMs: c.targetMs,
    pauseMs: c.pauseMs,
    maxReplicaLagMs: c.maxReplicaLagMs,
    lockTimeoutMs: c.lockTimeoutMs,
    statementTimeoutMs: c.statementTimeoutMs,
    dryRun: c.dryRun,
    reset: c.reset,
    retryParked: c.retryParked,
  };
}

/**
 * A backfill job's whole process: settings, the pool, SIGTERM/SIGINT (the batch in flight
 * finishes, then exit 130 with how to resume), the run, the job's own finish, exit codes by
 * @wxyc/job-runtime (2 bad settings, 3 database unreachable, 1 failure).
 */
export function runBackfillJob<C extends BackfillSettings>(job: BackfillJob<C>): Promise<void> {
  // --help, or an unknown argument (one line, exit 2): before the run is recorded or a connection opened
  readArgs(backfillCommand(job.help), process.argv.slice(2), 'backfill');
  return runJob('backfill', async (log) => {
    const config = job.readConfig(process.env, process.argv.slice(2));
    const url = databaseUrlFromEnv();
    const sql = createDbClient({ applicationName: job.name, url, max: 3, statementTimeoutMs: job.poolStatementTimeoutMs });
    const shutdown = shutdownSignal((sig) => log.info(`${sig}: finishing the current batch, then stopping`));
    const ctx: BackfillJobContext<C> = { sql, log, config };
    try {
      const mode = job.mode?.(config) ?? '';
      log.info(`database ${maskUrl(url)}${mode}${config.dryRun ? ' (dry run: nothing is written)' : ''}`);
      const early = await job.before?.(ctx);
      if (typeof early === 'number') return early;
      const s = await runBackfill(job.definition(config), { sql, log, signal: shutdown.signal, ...runOptionsOf(config), ...job.options?.(config) });
      countRows({ read: s.rowsProcessed, written: s.rowsWritten, skipped: s.rowsUnresolved });
      if (s.interrupted) {
        log.info(
          `stopped after ${s.rowsProcessed} rows (position saved: id ${s.cursor}). ` +
            `To resume, run the same command again; to start over, add --reset${mode}.`,
        );
        return EXIT.INTERRUPTED;
      }
      return await job.finish(ctx, s);
    } finally {
      shutdown.dispose();
      await sql.end({ timeout: 5 });
    }
  }, { hooks: job.hooks });
}
