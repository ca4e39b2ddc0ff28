import type { Sql } from 'postgres';
import { createDbClient, databaseUrlFromEnv, maskUrl, runHistory } from '@wxyc/database';
import {
  EXIT,
  boolEnv,
  countRows,
  intEnv,
  markSkipped,
  readArgs,
  runJob,
  shutdownSignal,
  type Logger,
  type RunHook,
} from '@wxyc/job-runtime';
import { sentryMonitor } from '@wxyc/sentry';
import type { BackfillDefinition } from './definition.js';
import { backfillCommand, type BackfillHelp, type BackfillSettings } from './job-config.js';
import { runBackfill, type RunOptions, type RunSummary } from './runner.js';
import { LockBusy } from './session.js';
import { runTask, type TaskRunOptions, type TaskSummary } from './engine/run.js';
import type { Task } from './engine/task.js';
import type { SourceTask } from './engine/source-step.js';

type Env = Record<string, string | undefined>;

export interface BackfillJobContext<C> {
  sql: Sql;
  log: Logger;
  config: C;
}

/** What every job frame declares; run history and Sentry are wired from `name` and `kind`, for every job. */
interface FrameJob<C extends BackfillSettings> {
  /** The job's name: application_name of its connections, its run-history and Sentry monitor name. */
  name: string;
  /**
   * `cron` sends Sentry check-ins and skips a tick at once (one try of the lock, no wait) while the
   * previous one still holds it. Default `one-shot` (waits a few seconds for a dying holder, then fails).
   */
  kind?: 'one-shot' | 'cron';
  /** Its settings: readBackfillSettings plus its own. */
  readConfig(env: Env, argv: readonly string[]): C;
  /** What --help says beyond the shared flags and settings. */
  help: BackfillHelp;
  /** statement_timeout of the pool's own queries (start-up counts, the final check); DB_STATEMENT_TIMEOUT_MS overrides. */
  poolStatementTimeoutMs?: number;
  /** Hooks beyond run history and Sentry (which every job gets and cannot leave out). */
  hooks?: RunHook[];
  /** Said after the database line and in the resume hint (e.g. ` --refresh`). */
  mode?(config: C): string;
  /** Checks before the run; a number ends the job there with that exit code (e.g. nothing to do). */
  before?(ctx: BackfillJobContext<C>): Promise<number | void>;
}

/** A backfill job, declared: what differs between jobs. The frame (runBackfillJob) does the rest. */
export interface BackfillJob<C extends BackfillSettings> extends FrameJob<C> {
  definition(config: C): BackfillDefinition;
  /** Run options beyond the shared settings (e.g. a fallback). */
  options?(config: C): Partial<RunOptions>;
  /** After a run that was not interrupted: its summary and final check; returns the exit code. */
  finish(ctx: BackfillJobContext<C>, summary: RunSummary): Promise<number>;
}

/** A job whose work is a task of the engine (`runTask`), one-shot or cron. */
export interface TaskJob<C extends BackfillSettings> extends FrameJob<C> {
  task(config: C): Task | SourceTask;
  /** Run options beyond the shared settings and the budget (e.g. maxParked). */
  options?(config: C): Partial<TaskRunOptions>;
  finish(ctx: BackfillJobContext<C>, summary: TaskSummary): Promise<number>;
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

/** Run history and Sentry for every job, then its own hooks. */
export const frameHooks = (name: string, kind: 'one-shot' | 'cron', extra: RunHook[] = []): RunHook[] => [
  runHistory({ job: name, kind }),
  sentryMonitor({ job: name, kind }),
  ...extra,
];

/**
 * The process around a job: settings, the pool, SIGTERM/SIGINT (the batch in flight finishes,
 * then exit 130 with how to resume), run history and Sentry, exit codes by @wxyc/job-runtime
 * (2 bad settings, 3 database unreachable, 1 failure). `body` runs the work and returns the exit code.
 */
function frame<C extends BackfillSettings>(
  job: FrameJob<C>,
  body: (ctx: BackfillJobContext<C>, signal: AbortSignal, mode: string) => Promise<number>,
): Promise<void> {
  const kind = job.kind ?? 'one-shot';
  // --help, or an unknown argument (one line, exit 2): before the run is recorded or a connection opened
  readArgs(backfillCommand(job.help), process.argv.slice(2), 'backfill');
  return runJob(
    'backfill',
    async (log) => {
      const config = job.readConfig(process.env, process.argv.slice(2));
      const url = databaseUrlFromEnv();
      const sql = createDbClient({
        applicationName: job.name,
        url,
        max: 3,
        statementTimeoutMs: job.poolStatementTimeoutMs,
      });
      const shutdown = shutdownSignal((sig) => log.info(`${sig}: finishing the current batch, then stopping`));
      const ctx: BackfillJobContext<C> = { sql, log, config };
      try {
        const mode = job.mode?.(config) ?? '';
        log.info(`database ${maskUrl(url)}${mode}${config.dryRun ? ' (dry run: nothing is written)' : ''}`);
        const early = await job.before?.(ctx);
        if (typeof early === 'number') return early;
        return await body(ctx, shutdown.signal, mode);
      } catch (err) {
        if (!(err instanceof LockBusy) || kind !== 'cron') throw err;
        log.info(err.skipLine);
        markSkipped();
        return EXIT.OK;
      } finally {
        shutdown.dispose();
        await sql.end({ timeout: 5 });
      }
    },
    { hooks: frameHooks(job.name, kind, job.hooks) },
  );
}

/** A cron tick tries the lock once: a held lock means the previous tick runs on, and this one skips at once. */
const tickLock = (job: { kind?: 'one-shot' | 'cron' }) => (job.kind === 'cron' ? { lockWaitMs: 0 } : {});

const stoppedLine = (rows: number, at: string, mode: string) =>
  `stopped after ${rows} rows (position saved: ${at}). To resume, run the same command again; to start over, add --reset${mode}.`;

/** A backfill job's whole process (see frame). */
export function runBackfillJob<C extends BackfillSettings>(job: BackfillJob<C>): Promise<void> {
  return frame(job, async (ctx, signal, mode) => {
    const { sql, log, config } = ctx;
    const s = await runBackfill(job.definition(config), {
      sql,
      log,
      signal,
      ...runOptionsOf(config),
      ...tickLock(job),
      ...job.options?.(config),
    });
    countRows({ read: s.rowsProcessed, written: s.rowsWritten, skipped: s.rowsUnresolved });
    if (s.interrupted) {
      log.info(stoppedLine(s.rowsProcessed, `id ${s.cursor}`, mode));
      return EXIT.INTERRUPTED;
    }
    return job.finish(ctx, s);
  });
}

/** The settings a task job reads beyond the shared ones (its --help lists them). */
export const TASK_ENV: Readonly<Record<string, string>> = {
  TASK_MAX_ROWS: "a tick's budget in rows: stop after about this many (whole batches); the next tick resumes",
  TASK_MAX_MS: "a tick's budget in time: stop after the batch that passes it; the next tick resumes",
  DRY_RUN: '1: resolve and count per outcome, roll every batch back; nothing written, no state saved',
};

/**
 * A task job's whole process (see frame), one-shot or cron: a tick's budget from TASK_MAX_ROWS and
 * TASK_MAX_MS, DRY_RUN=1 (or BACKFILL_DRY_RUN) resolving and counting per outcome without writing.
 */
export function runTaskJob<C extends BackfillSettings>(job: TaskJob<C>): Promise<void> {
  const help = { ...job.help, env: { ...TASK_ENV, ...job.help.env } };
  return frame({ ...job, help }, async (ctx, signal, mode) => {
    const { sql, log, config } = ctx;
    const env = process.env;
    const maxRows = env.TASK_MAX_ROWS ? intEnv(env, 'TASK_MAX_ROWS', { default: 0, min: 1 }) : undefined;
    const maxMs = env.TASK_MAX_MS ? intEnv(env, 'TASK_MAX_MS', { default: 0, min: 1 }) : undefined;
    const dryRun = config.dryRun || boolEnv(env, 'DRY_RUN');
    const s = await runTask(job.task(config), {
      sql,
      log,
      signal,
      batchSize: config.batchSize,
      maxRows,
      maxMs,
      dryRun,
      reset: config.reset,
      retryParked: config.retryParked,
      lockTimeoutMs: config.lockTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      maxReplicaLagMs: config.maxReplicaLagMs,
      ...tickLock(job),
      ...job.options?.(config),
    });
    // run history records this tick's rows, not the state's running totals (which span resumed runs)
    countRows({ read: s.thisRun.rows, written: s.thisRun.written, skipped: s.thisRun.parked });
    log.info(
      `outcomes this run: ${
        Object.entries(s.thisRun.outcomes)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }${s.dryRun ? ' (dry run)' : ''}`,
    );
    if (s.interrupted) {
      log.info(stoppedLine(s.rowsProcessed, s.position ? JSON.stringify(s.position) : 'the start', mode));
      return EXIT.INTERRUPTED;
    }
    return job.finish(ctx, s);
  });
}
