import { readFileSync } from 'node:fs';
import type { Sql } from 'postgres';
import type { Logger } from '@wxyc/job-runtime';
import { drizzleName, JournalError, migrationFileName, type Migration, type MigrationLayout } from '../journal.js';
import { readMigrationSet, strayAdvice, type MigrationSet } from '../migration-set.js';
import { folderNameFor } from '../folder-name.js';
import { isConnectionLost } from '../connection-lost.js';
import { checkDatabaseUrl, describeTarget } from '../database-url.js';
import { maskUrl } from '../mask-url.js';
import { acquireMigrateLock, MIGRATE_LOCK_KEY } from './advisory-lock.js';
import { applyMigration, connectionLost, recordedIndexToRebuild, type ApplyContext } from './apply.js';
import {
  bookkeepingLockHolders,
  bookkeepingShape,
  ensureBookkeeping,
  readApplied,
  upgradeBookkeeping,
  type BookkeepingShape,
} from './bookkeeping.js';
import { LOCK_NOT_AVAILABLE, sqlState } from './failure.js';
import { endBackendAdvice } from './remediation.js';
import { MigrateError } from './errors.js';
import { MIGRATE_EXIT } from './exit-codes.js';
import { planMigrations, type AppliedRow, type MigrationPlan } from './plan.js';
import { describeOffenders, findOffenders } from './preflight.js';
import {
  CONTROL_APPLICATION_NAME,
  RUNNER_APPLICATION_NAME,
  STATUS_APPLICATION_NAME,
  connectRunner,
  connectSide,
} from './session.js';
import { readBaseline } from './session-guard.js';
import { readMigrateSettings, type MigrateSettings } from './settings.js';

type Env = Record<string, string | undefined>;

export type MigrateMode = 'apply' | 'status' | 'dry-run';

export interface MigrateOptions {
  mode: MigrateMode;
  migrationsDir: string;
  /** SQL run after the migrations (idempotent dev data); only `pnpm dev` / `--seed` pass one. */
  seedFile?: string;
  env?: Env;
  log: Logger;
  /** Aborts on SIGTERM/SIGINT: the in-flight statement is cancelled on the server. */
  signal: AbortSignal;
  random?: () => number;
}

/** Runs the runner in one of its modes; returns the exit code, throws MigrateError on refusals. */
export async function runMigrate(opts: MigrateOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const settings = readMigrateSettings(env);
  const set = loadSet(opts.migrationsDir);
  // Before anything else: where this run goes, once PG* variables have filled the URL's gaps.
  const target = `${maskUrl(settings.url)} (${describeTarget(checkDatabaseUrl(settings.url))})`;
  if (opts.mode === 'apply') return apply(opts, settings, target, env, set);
  opts.log.info(
    `${opts.mode === 'status' ? 'status of' : 'dry run on'} ${target}${opts.mode === 'dry-run' ? ': nothing will be changed' : ''}`,
  );
  warnAboutInputs(opts, env, set);
  const sql = connectSide(settings, env, STATUS_APPLICATION_NAME);
  try {
    const plan = planMigrations(set.migrations, await readApplied(sql));
    if (opts.mode === 'status') {
      printStatus(opts.log, set.migrations, plan);
      return MIGRATE_EXIT.OK;
    }
    const offenders = await findOffenders(sql);
    reportPlan(opts.log, plan, settings);
    if (offenders.length) throw new MigrateError(describeOffenders(offenders), MIGRATE_EXIT.PREFLIGHT_REFUSED);
    // The same refusal as the real run, so a dry run predicts its exit code.
    refuseUnsafePlan(plan, settings);
    if (needsUpgrade(set.layout, await bookkeepingShape(sql))) {
      opts.log.info(
        `would add name and applied_at to drizzle.__drizzle_migrations (drizzle-kit 1.0's table) and name its ${plan.matched.length} recorded row(s)`,
      );
    }
    opts.log.info(
      plan.pending.length
        ? `would apply ${plan.pending.length}: ${plan.pending.map((m) => m.tag).join(', ')}`
        : 'nothing to apply',
    );
    return MIGRATE_EXIT.OK;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Things in the folder or the environment that do nothing, said once after the target line. */
function warnAboutInputs(opts: MigrateOptions, env: Env, set: MigrationSet): void {
  for (const f of set.strays) opts.log.warn(`${f} ${strayAdvice(set.layout)}`);
  if (env.SKIP_SEED !== undefined)
    opts.log.warn('SKIP_SEED is no longer read: the runner seeds only when given --seed (pnpm dev does).');
}

function refuseUnsafePlan(plan: MigrationPlan, settings: MigrateSettings): void {
  if (plan.movedWhen.length) {
    throw new MigrateError(
      plan.movedWhen.map(({ migration: m, row }) => describeMoved(m, row)).join('; ') +
        `. Nothing applied: applying it again would run its DDL twice. ${restoreAdvice(plan.movedWhen[0]!.migration, plan.movedWhen[0]!.row)}.`,
      MIGRATE_EXIT.BAD_JOURNAL,
    );
  }
  if (!plan.drifted.length || !settings.strictHashes) return;
  throw new MigrateError(
    `hash drift in ${plan.drifted.map((d) => d.migration.tag).join(', ')} and MIGRATE_STRICT_HASHES=1: nothing applied. ` +
      `Restore the applied files (git history) instead of editing them; put changes in a new migration.`,
    MIGRATE_EXIT.HASH_DRIFT,
  );
}

function describeMoved(m: Migration, row: AppliedRow): string {
  const applied = `this very file (same sha256) was applied ${row.name ? `as ${row.name}` : `with created_at ${row.created_at}`} (row ${row.id})`;
  return m.layout === 'folders' ? `${m.tag}: ${applied}` : `${m.tag}: its journal "when" is ${m.when}, but ${applied}`;
}

function restoreAdvice(m: Migration, row: AppliedRow): string {
  if (m.layout !== 'folders') return `Restore "when": ${row.created_at} for ${m.tag} in meta/_journal.json`;
  const back = row.name ?? folderNameFor(Number(row.created_at), m.tag);
  return `Rename the folder ${m.tag} back to ${back}`;
}

/** drizzle 1.0's tracking table is needed (and made, as drizzle 1.0 makes it) once the folders are in use. */
function needsUpgrade(layout: MigrationLayout, shape: BookkeepingShape): boolean {
  return layout === 'folders' && shape === 'v0';
}

function loadSet(dir: string): MigrationSet {
  try {
    return readMigrationSet(dir);
  } catch (err) {
    if (err instanceof JournalError) throw new MigrateError(`bad journal: ${err.message}`, MIGRATE_EXIT.BAD_JOURNAL);
    throw err;
  }
}

async function apply(
  opts: MigrateOptions,
  settings: MigrateSettings,
  target: string,
  env: Env,
  set: MigrationSet,
): Promise<number> {
  const { log, signal } = opts;
  const sql = connectRunner(settings, env, (msg) => log.info(`server notice: ${msg}`));
  const control = connectSide(settings, env, CONTROL_APPLICATION_NAME);
  const inFlight = { value: false };
  let runnerPid = 0;
  let lost = false;
  // What a lock_timeout outside a migration interrupted (only the bookkeeping table is touched there).
  let bookkeepingStep = 'reading';
  const cancel = () => {
    // Cancel on the server from the side connection: closing our socket alone would leave the
    // statement running until the next client_connection_check_interval tick.
    if (inFlight.value && runnerPid) control`SELECT pg_cancel_backend(${runnerPid})`.catch(() => {});
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    log.info(`migrating ${target} from ${opts.migrationsDir}`);
    warnAboutInputs(opts, env, set);
    runnerPid = (await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    const baseline = await readBaseline(sql);
    // Open the side connection now: on SIGTERM there may be no connection slot left to get one.
    await control`SELECT 1`;
    await acquireMigrateLock(sql, settings.lockWaitMs, signal, (h) =>
      log.info(
        h
          ? `waiting up to ${settings.lockWaitMs / 1000}s for the migration lock held by pid ${h.pid} ('${h.application_name}', since ${h.backend_start})`
          : 'waiting for the migration lock',
      ),
    );
    await sql`SELECT set_config('application_name', ${RUNNER_APPLICATION_NAME}, false)`;
    const offenders = await findOffenders(sql);
    if (offenders.length) throw new MigrateError(describeOffenders(offenders), MIGRATE_EXIT.PREFLIGHT_REFUSED);

    let bookkeeping = await ensureBookkeeping(sql, set.layout);
    const plan = planMigrations(set.migrations, await readApplied(sql));
    reportPlan(log, plan, settings);
    refuseUnsafePlan(plan, settings);
    if (needsUpgrade(set.layout, bookkeeping)) {
      bookkeepingStep = "upgrading (adding drizzle 1.0's name and applied_at to)";
      bookkeeping = await upgradeTable(sql, plan, log);
      bookkeepingStep = 'reading';
    }
    const ctx: ApplyContext = {
      sql,
      control,
      runnerPid,
      settings,
      baseline,
      signal,
      log,
      inFlight,
      random: opts.random,
      bookkeeping,
    };
    await rebuildRecordedIndexes(ctx, set.migrations, plan);
    for (const m of plan.pending) {
      if (signal.aborted)
        throw new MigrateError(
          `interrupted by ${String(signal.reason)} before ${m.tag}; run again to continue`,
          MIGRATE_EXIT.INTERRUPTED,
        );
      const started = Date.now();
      log.info(`applying ${m.tag}${m.noTransaction ? ' (no transaction)' : ''}`);
      await applyMigration(ctx, m);
      log.info(`applied ${m.tag} in ${Date.now() - started} ms`);
    }
    log.info(plan.pending.length ? `applied ${plan.pending.length} migration(s)` : 'database is up to date');
    if (opts.seedFile) await seed(sql, opts.seedFile, log);
    await sql`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`;
    return MIGRATE_EXIT.OK;
  } catch (err) {
    // Between migrations (lock, pre-flight, bookkeeping): the same one line as during one.
    const e =
      err instanceof MigrateError
        ? err
        : isConnectionLost(err)
          ? connectionLost({ sql, runnerPid }, undefined, err)
          : sqlState(err) === LOCK_NOT_AVAILABLE
            ? await bookkeepingLockTimeout(control, runnerPid, settings, bookkeepingStep)
            : err;
    lost = e instanceof MigrateError && e.exitCode === MIGRATE_EXIT.CONNECTION_LOST;
    throw e;
  } finally {
    signal.removeEventListener('abort', cancel);
    // A dead connection has nothing to flush: do not wait for it to say goodbye.
    await Promise.all([sql.end({ timeout: lost ? 0 : 2 }), control.end({ timeout: 2 })]);
  }
}

/**
 * Before the pending migrations: an applied CREATE INDEX CONCURRENTLY migration whose index is
 * missing or INVALID now is built again, online, as the migration builds it (an INVALID one is
 * dropped first). Without this, 0061's index guard failed on every deploy once 0059's index was
 * dropped after 0059 was recorded (issue #27).
 */
async function rebuildRecordedIndexes(ctx: ApplyContext, migrations: Migration[], plan: MigrationPlan): Promise<void> {
  const applied = new Set(plan.applied);
  for (let i = 0; i < migrations.length; i++) {
    const m = migrations[i]!;
    if (!applied.has(m)) continue;
    const index = await recordedIndexToRebuild(
      ctx.sql,
      m,
      migrations.slice(i + 1).some((later) => applied.has(later)),
    );
    if (!index) continue;
    const started = Date.now();
    ctx.log.warn(
      `${m.tag} is applied but its index ${index.tableSchema ? `${index.tableSchema}.` : ''}${index.name} is missing or INVALID; building it again (online)`,
    );
    await applyMigration(ctx, m, true);
    ctx.log.info(`rebuilt the index of ${m.tag} in ${Date.now() - started} ms`);
  }
}

/** drizzle 1.0's upgrade of the tracking table (bookkeeping.ts), before the first folder is recorded. */
async function upgradeTable(sql: Sql, plan: MigrationPlan, log: Logger): Promise<BookkeepingShape> {
  const named = plan.matched.filter((x) => !x.row.name).map((x) => ({ id: x.row.id, name: drizzleName(x.migration) }));
  await upgradeBookkeeping(sql, named);
  log.info(
    `drizzle.__drizzle_migrations: added name and applied_at (drizzle-kit 1.0's table), named ${named.length} recorded row(s)`,
  );
  return 'v1';
}

/** lock_timeout outside a migration: only the bookkeeping table is read or written there. */
async function bookkeepingLockTimeout(
  control: Sql,
  runnerPid: number,
  settings: MigrateSettings,
  step: string,
): Promise<MigrateError> {
  const holders = await bookkeepingLockHolders(control, runnerPid).catch(() => []);
  const who = holders.length
    ? holders
        .map(
          (h) =>
            `pid ${h.pid} (${h.mode}, '${h.application_name ?? ''}', ${h.state ?? 'unknown'}: ${JSON.stringify(h.query ?? '')})`,
        )
        .join(', ')
    : 'a backend that let go before it could be named';
  const advice = holders.map((h) => endBackendAdvice(h.pid, h.state)).join('; ');
  return new MigrateError(
    `drizzle.__drizzle_migrations: lock_timeout (${settings.lockTimeout}) while ${step} the bookkeeping table, held by ${who}. ` +
      `Nothing was applied. Let it finish${advice ? ` or end it: ${advice}` : ''}; then deploy again.`,
    MIGRATE_EXIT.LOCK_TIMEOUT,
  );
}

async function seed(sql: Sql, file: string, log: Logger): Promise<void> {
  log.info(`seeding dev data from ${file} (--seed)`);
  await sql.begin((tx) => tx.unsafe(readFileSync(file, 'utf8')).simple());
}

function reportPlan(log: Logger, plan: MigrationPlan, settings: MigrateSettings): void {
  for (const d of plan.drifted) {
    const msg = `${migrationFileName(d.migration)} changed after it was applied (recorded sha256 ${d.recordedHash.slice(0, 12)}, file ${d.migration.hash.slice(0, 12)})`;
    if (settings.strictHashes) log.error(msg);
    else log.warn(`${msg}; MIGRATE_STRICT_HASHES=1 makes this an error`);
  }
  const moved = new Set(plan.movedWhen.map((x) => x.row));
  for (const r of plan.unknownRows) {
    if (!moved.has(r)) log.warn(`drizzle.__drizzle_migrations row ${r.id} (${describeRow(r)}) matches no migration`);
  }
  for (const m of plan.outOfOrder)
    log.warn(`${m.tag} is older than an applied migration but was never applied: it will be applied now`);
}

function printStatus(log: Logger, migrations: Migration[], plan: MigrationPlan): void {
  const applied = new Set(plan.applied);
  const drifted = new Set(plan.drifted.map((d) => d.migration));
  const moved = new Map(plan.movedWhen.map((x) => [x.migration, x.row]));
  for (const m of migrations) {
    const row = moved.get(m);
    const now = m.layout === 'folders' ? `folder is ${m.tag}` : `journal says ${m.when}`;
    const state = row
      ? `when-moved (applied with ${describeRow(row)}, ${now})`
      : drifted.has(m)
        ? 'drifted'
        : applied.has(m)
          ? 'applied'
          : 'pending';
    log.info(`${state}  ${m.tag}`);
  }
  for (const r of plan.unknownRows) log.info(`unknown  row ${r.id} ${describeRow(r)} (no migration)`);
  log.info(`${plan.applied.length} applied, ${plan.pending.length} pending, ${plan.drifted.length} drifted`);
}

function describeRow(r: AppliedRow): string {
  return r.name ? `name ${r.name}, created_at ${r.created_at}` : `created_at ${r.created_at}`;
}
