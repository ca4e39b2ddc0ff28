import type { Sql } from 'postgres';
import type { Logger } from '@wxyc/job-runtime';
import { describeConnectionLoss, isConnectionLost } from '../connection-lost.js';
import { migrationFileName, type Migration } from '../journal.js';
import { backoffDelayMs } from './backoff.js';
import { recordApplied, type BookkeepingShape } from './bookkeeping.js';
import { MigrateError } from './errors.js';
import { MIGRATE_EXIT } from './exit-codes.js';
import { LOCK_NOT_AVAILABLE, QUERY_CANCELED, describeStatementFailure, errorLine, sqlState } from './failure.js';
import { lockTimeoutAt } from './effective-lock-timeout.js';
import {
  dropInvalidIndex,
  indexesOf,
  isValidIndex,
  parseConcurrentIndex,
  type ConcurrentIndex,
} from './invalid-index.js';
import type { SessionBaseline } from './session-guard.js';
import { reestablishSession } from './session-guard.js';
import type { MigrateSettings } from './settings.js';
import { endBackendAdvice } from './remediation.js';
import { sleep } from './sleep.js';
import { sampleBlockers } from './blockers.js';
import { StatementError } from './statement-error.js';

export interface ApplyContext {
  /** The runner's own connection (max 1): holds the advisory lock, runs the migrations. */
  sql: Sql;
  /** Side connection: samples who blocks the runner, cancels its statement on SIGTERM. */
  control: Sql;
  runnerPid: number;
  settings: MigrateSettings;
  /** What the session showed before the first migration (search_path). */
  baseline: SessionBaseline;
  signal: AbortSignal;
  log: Logger;
  /** True while a statement of a migration is on the server (what a signal must cancel). */
  inFlight: { value: boolean };
  random?: () => number;
  /** The tracking table's shape: a v1 (drizzle 1.0) table records each migration's name too. */
  bookkeeping: BookkeepingShape;
}

const BOOKKEEPING_STEP = 'recording it in drizzle.__drizzle_migrations';

/**
 * Applies one migration, retrying it whole (after a rollback) when it hits lock_timeout.
 * `rebuild`: a recorded no-transaction migration whose index is missing or INVALID is run again
 * (recordedIndexToRebuild), with the same guards, and not recorded a second time.
 */
export async function applyMigration(ctx: ApplyContext, m: Migration, rebuild = false): Promise<void> {
  const { settings, log } = ctx;
  for (let attempt = 1; ; attempt++) {
    await assertSameSession(ctx);
    // A plain SET of an earlier migration (lock_timeout = 0, search_path) must not reach this one.
    await reestablishSession(ctx.sql, settings, ctx.baseline);
    try {
      if (m.noTransaction) await applyOutsideTransaction(ctx, m, rebuild);
      else await applyInTransaction(ctx, m);
      return;
    } catch (err) {
      const cause = err instanceof StatementError ? err.cause : err;
      if (isConnectionLost(cause)) throw connectionLost(ctx, m, err);
      if (ctx.signal.aborted) throw interrupted(ctx, err);
      if (!(err instanceof StatementError)) throw err;
      const where = `${migrationFileName(m)} line ${errorLine(m.statements[err.index]!, err.cause)}${err.step ? ` (${err.step})` : ''}`;
      if (sqlState(err.cause) !== LOCK_NOT_AVAILABLE) throw await failed(ctx, m, err, rebuild);
      // The bookkeeping step runs after the last statement: every SET LOCAL of the migration counts.
      const lockTimeout = lockTimeoutAt(
        m.statements,
        err.step === BOOKKEEPING_STEP ? m.statements.length : err.index,
        settings.lockTimeout,
      );
      const blockedBy = err.blockers.length
        ? err.blockers
            .map((b) => `pid ${b.pid} ('${b.application_name}', ${b.state}: ${JSON.stringify(b.query ?? '')})`)
            .join(', ')
        : 'a backend that let go before it could be named';
      if (attempt >= settings.lockRetries) {
        throw new MigrateError(
          `${where}: lock_timeout (${lockTimeout}) on all ${settings.lockRetries} attempts (MIGRATE_LOCK_RETRIES); ` +
            `last blocked by ${blockedBy}. Nothing of ${m.tag} is applied; earlier migrations of this run stay committed. ` +
            `Deploy again when the table is quieter, or end the blocker: ` +
            (err.blockers.map((b) => endBackendAdvice(b.pid, b.state)).join('; ') || 'see pg_blocking_pids') +
            '.',
          MIGRATE_EXIT.LOCK_TIMEOUT,
        );
      }
      const delay = backoffDelayMs(attempt, settings.retryBaseMs, settings.retryCapMs, ctx.random);
      log.warn(
        `${where}: lock_timeout (${lockTimeout}) on attempt ${attempt}/${settings.lockRetries}, blocked by ${blockedBy}; ` +
          `rolled back, retrying in ${delay} ms`,
      );
      await sleep(delay, ctx.signal);
      if (ctx.signal.aborted) throw interrupted(ctx, err);
    }
  }
}

/**
 * postgres-js reconnects silently after a dropped connection; a new session would not hold the
 * migration lock (nor be the pid a signal cancels), so the runner stops instead.
 */
async function assertSameSession(ctx: ApplyContext): Promise<void> {
  const [row] = await ctx.sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  if (row!.pid !== ctx.runnerPid) {
    const why = describeConnectionLoss(ctx.sql, { message: `postgres-js reconnected as backend ${row!.pid}` });
    throw new MigrateError(
      `lost the database connection (backend ${ctx.runnerPid}) and with it the migration lock (${why}); nothing more was applied. Run again.`,
      MIGRATE_EXIT.CONNECTION_LOST,
    );
  }
}

async function applyInTransaction(ctx: ApplyContext, m: Migration): Promise<void> {
  const { sql } = ctx;
  await sql.unsafe('BEGIN');
  try {
    for (let i = 0; i < m.statements.length; i++) await runStatement(ctx, m, i);
    await onServer(ctx, m, m.statements.length - 1, BOOKKEEPING_STEP, () => recordApplied(sql, m, ctx.bookkeeping));
    await sql.unsafe('COMMIT');
  } catch (err) {
    // SET LOCAL settings of the migration end here too, so they never reach the next one. On a
    // dead connection the server has rolled back already, and postgres-js may never answer.
    const cause = err instanceof StatementError ? err.cause : err;
    if (!isConnectionLost(cause)) await sql.unsafe('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * A `-- migrate:no-transaction` file: its one statement (CREATE INDEX CONCURRENTLY) runs in
 * autocommit. An INVALID index that an earlier failed attempt left behind is dropped first,
 * so the build starts clean; after the build the index (by OID) must be valid, or the
 * migration fails unrecorded: `IF NOT EXISTS` skips over an INVALID leftover without a word.
 */
async function applyOutsideTransaction(ctx: ApplyContext, m: Migration, rebuild: boolean): Promise<void> {
  const index = await parseConcurrentIndex(m.statements[0]!.sql);
  if (index) {
    let dropped: string | undefined;
    await onServer(
      ctx,
      m,
      0,
      'dropping the INVALID index an earlier run left',
      async () => (dropped = await dropInvalidIndex(ctx.sql, index)),
    );
    if (dropped)
      ctx.log.warn(`${m.tag}: dropped INVALID index ${dropped} left by an earlier failed run; rebuilding it`);
  }
  const before = index ? new Set((await indexesOf(ctx.sql, index)).map((s) => s.oid)) : undefined;
  await runStatement(ctx, m, 0);
  if (index) await assertBuilt(ctx, m, index, index.name ? undefined : before!, rebuild);
  if (!rebuild) await onServer(ctx, m, 0, BOOKKEEPING_STEP, () => recordApplied(ctx.sql, m, ctx.bookkeeping));
}

/** What is left when a no-transaction migration fails: recorded or not, and what the next run does. */
function leftAfterFailure(m: Migration, rebuild: boolean): string {
  return rebuild
    ? `${m.tag} is recorded as applied; its index was being rebuilt because it was missing or INVALID, and the next run tries again.`
    : `${m.tag} ran outside a transaction (-- migrate:no-transaction) and is not recorded as applied; the next run drops an INVALID index of it and rebuilds it.`;
}

/**
 * The named index of an applied no-transaction migration, when it is missing or INVALID now (dropped
 * by hand, or left INVALID by a failed REINDEX CONCURRENTLY after the migration was recorded), and no
 * migration after it is applied (a later one may have renamed or dropped it on purpose, as 0061
 * renames 0059's). Nothing re-creates such an index otherwise: its migration is never pending again.
 */
export async function recordedIndexToRebuild(
  sql: Sql,
  m: Migration,
  laterApplied: boolean,
): Promise<ConcurrentIndex | undefined> {
  if (!m.noTransaction || laterApplied) return undefined;
  const index = await parseConcurrentIndex(m.statements[0]!.sql);
  if (!index?.name) return undefined;
  return (await indexesOf(sql, index)).some((s) => s.valid) ? undefined : index;
}

/** After the build: the statement's index exists on its table and pg_index says it is valid. */
async function assertBuilt(
  ctx: ApplyContext,
  m: Migration,
  index: ConcurrentIndex,
  unnamedBefore: Set<number> | undefined,
  rebuild: boolean,
): Promise<void> {
  const found = (await indexesOf(ctx.sql, index)).filter((s) => !unnamedBefore?.has(s.oid));
  const checked = await Promise.all(found.map(async (s) => ({ ...s, valid: await isValidIndex(ctx.sql, s.oid) })));
  const bad = checked.find((s) => !s.valid);
  const what = index.name
    ? `index ${index.name} on ${index.tableSchema ? `${index.tableSchema}.` : ''}${index.table}`
    : `the index on ${index.table}`;
  let problem: string | undefined;
  if (bad)
    problem = `${what} is INVALID after the build (pg_index.indisvalid is false for ${bad.qualified}, OID ${bad.oid})`;
  else if (index.name && !checked.length)
    problem = `${what} does not exist after the build (IF NOT EXISTS skipped it: is that name taken by another relation?)`;
  if (!problem) return;
  throw new MigrateError(
    `migration failed: ${migrationFileName(m)}, line ${m.statements[0]!.line}: ${problem}.\n  ${leftAfterFailure(m, rebuild)}`,
    MIGRATE_EXIT.MIGRATION_FAILED,
  );
}

async function runStatement(ctx: ApplyContext, m: Migration, index: number): Promise<void> {
  await onServer(ctx, m, index, undefined, () => ctx.sql.unsafe(m.statements[index]!.sql).simple());
}

/**
 * Runs one step of a migration on the server (a statement, the bookkeeping row, dropping a
 * leftover index), cancellable by a signal and watched for blockers; a failure is a
 * StatementError naming the file, the line and the step.
 */
async function onServer(
  ctx: ApplyContext,
  m: Migration,
  index: number,
  step: string | undefined,
  run: () => Promise<unknown>,
): Promise<void> {
  if (ctx.signal.aborted)
    throw new StatementError(m, index, new Error('interrupted before the statement started'), [], step);
  const sampling = sampleBlockers(ctx.control, ctx.runnerPid);
  ctx.inFlight.value = true;
  try {
    await run();
  } catch (err) {
    throw new StatementError(m, index, err, sampling.blockers, step);
  } finally {
    ctx.inFlight.value = false;
    sampling.stop();
  }
}

/** The migrating connection died: one line with what the server said, nothing more sent on it. */
export function connectionLost(
  ctx: Pick<ApplyContext, 'sql' | 'runnerPid'>,
  m: Migration | undefined,
  err: unknown,
): MigrateError {
  const cause = err instanceof StatementError ? err.cause : err;
  const at =
    err instanceof StatementError
      ? ` during ${migrationFileName(m!)} line ${m!.statements[err.index]!.line}`
      : m
        ? ` during ${m.tag}`
        : '';
  const left = m?.noTransaction
    ? `${m.tag} ran outside a transaction: an index it was building may be left INVALID (the next run drops and rebuilds it); it is not recorded`
    : `The server rolled back ${m ? m.tag : 'any open transaction'}`;
  return new MigrateError(
    `lost the migrating connection (backend ${ctx.runnerPid})${at}: ${describeConnectionLoss(ctx.sql, cause)}. ` +
      `${left}; earlier migrations of this run stay committed. Run again.`,
    MIGRATE_EXIT.CONNECTION_LOST,
  );
}

function interrupted(ctx: ApplyContext, err: unknown): MigrateError {
  const at =
    err instanceof StatementError
      ? ` ${migrationFileName(err.migration)} line ${errorLine(err.migration.statements[err.index]!, err.cause)}` +
        (sqlState(err.cause) === QUERY_CANCELED ? ' (its statement was cancelled on the server)' : '')
      : '';
  return new MigrateError(
    `interrupted by ${String(ctx.signal.reason ?? 'a signal')} during${at}: rolled back, nothing of that migration is applied; ` +
      `earlier migrations of this run stay committed. Run again to continue.`,
    MIGRATE_EXIT.INTERRUPTED,
  );
}

async function failed(ctx: ApplyContext, m: Migration, err: StatementError, rebuild: boolean): Promise<MigrateError> {
  const lines = [
    `migration failed: ${describeStatementFailure(m, err.index, err.cause)}${err.step ? ` (while ${err.step})` : ''}`,
  ];
  if (sqlState(err.cause) === QUERY_CANCELED) {
    lines.push(
      `  statement_timeout is ${ctx.settings.statementTimeout} (MIGRATE_STATEMENT_TIMEOUT); a migration that needs longer ` +
        `opts in with SET LOCAL statement_timeout = '...' at its top.`,
    );
  }
  if (m.noTransaction) {
    const index = await parseConcurrentIndex(m.statements[0]!.sql);
    const states = index ? await indexesOf(ctx.sql, index).catch(() => []) : [];
    const invalid = states.find((s) => !s.valid);
    if (invalid) lines.push(`  it left the INVALID index ${invalid.qualified}; the next run drops and rebuilds it.`);
    lines.push(
      `  ${rebuild ? leftAfterFailure(m, true) : `${m.tag} ran outside a transaction (-- migrate:no-transaction) and is not recorded as applied.`}`,
    );
  } else {
    lines.push(`  ${m.tag} was rolled back; migrations before it stay committed. Fix the cause and run again.`);
  }
  return new MigrateError(lines.join('\n'), MIGRATE_EXIT.MIGRATION_FAILED);
}
