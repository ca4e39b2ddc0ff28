import type { Sql } from 'postgres';
import { EXIT, JobError, countRows, isUnreachable, markSkipped, shutdownSignal, type Logger } from '@wxyc/job-runtime';
import { createDbClient, maskUrl } from '@wxyc/database';
import { BadRows } from './bad-rows.js';
import { readEtlConfig, type EtlConfig } from './config.js';
import { connectLegacy, type LegacySource } from './mysql-source.js';
import { withTickLock } from './tick-lock.js';
import { checkOwners, type MirrorTable } from './owners.js';

type Env = Record<string, string | undefined>;

export interface EtlContext {
  job: string;
  config: EtlConfig;
  sql: Sql;
  /** Connected only when the mode needs MySQL (needLegacy); otherwise accessing it throws. */
  legacy: LegacySource;
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: stop between batches (each batch commits with its cursor). */
  signal: AbortSignal;
  bad: BadRows;
}

export interface RunEtlOptions {
  job: string;
  log: Logger;
  env?: Env;
  /** false for a mode that reads no MySQL (bulk load from a dump). */
  needLegacy: boolean;
  statementTimeoutMs?: number;
  /** The job's mirrored tables: their column owners are checked before anything else (checkOwners: exit 2). */
  mirrors?: readonly MirrorTable[];
}

/**
 * The frame of every legacy ETL run: env checked first (exit 2), then PostgreSQL and the
 * one-tick-at-a-time lock (taken before anything is read), then MySQL (exit 3 if it cannot
 * be reached, nothing written), then the body. Bad rows are reported at the end; a signal
 * ends the run after the batch in progress with exit 130.
 * Returns the exit code (0 also when another tick holds the lock).
 */
export async function runEtl(opts: RunEtlOptions, body: (ctx: EtlContext) => Promise<void>): Promise<number> {
  checkOwners(opts.job, opts.mirrors ?? []);
  const config = readEtlConfig(opts.env ?? process.env, { needLegacy: opts.needLegacy });
  const sql = createDbClient({
    applicationName: opts.job,
    url: config.databaseUrl,
    env: opts.env,
    statementTimeoutMs: opts.statementTimeoutMs,
    max: 3,
  });
  const shutdown = shutdownSignal((sig) => opts.log.warn(`${sig} received: stopping after the current batch.`));
  try {
    const outcome = await withTickLock(sql, opts.job, async () => {
      const legacy = config.legacyUrl ? await connectLegacy(config.legacyUrl) : notConnected();
      const bad = new BadRows();
      try {
        await body({ job: opts.job, config, sql, legacy, log: opts.log, signal: shutdown.signal, bad });
      } finally {
        bad.report(opts.log);
        countRows({ skipped: bad.rejectedCount });
        await legacy.close();
      }
    }).catch((err: unknown) => {
      if (isUnreachable(err)) {
        throw new JobError(
          `PostgreSQL at ${maskUrl(config.databaseUrl)} is unreachable: ${(err as Error).message}. Check DATABASE_URL.`,
          EXIT.UNREACHABLE,
        );
      }
      throw err;
    });
    if (!outcome.ran) {
      const since = outcome.since ? outcome.since.toISOString() : 'unknown time';
      opts.log.info(`previous tick still running (pid ${outcome.holderPid ?? 'unknown'} since ${since}); skipping.`);
      markSkipped();
      return EXIT.OK;
    }
    if (shutdown.signal.aborted) {
      throw new JobError(
        'interrupted: committed batches are kept and the next run resumes from them.',
        EXIT.INTERRUPTED,
      );
    }
    return EXIT.OK;
  } finally {
    shutdown.dispose();
    await sql.end({ timeout: 5 });
  }
}

function notConnected(): LegacySource {
  const fail = (): never => {
    throw new Error('this mode reads no legacy MySQL (runEtl needLegacy: false)');
  };
  return { url: '', query: fail, explain: fail, close: async () => {} };
}
