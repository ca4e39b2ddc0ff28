import type { Sql } from 'postgres';
import { isUnreachable, type Logger, type RunEnd, type RunHook } from '@wxyc/job-runtime';
import { createDbClient, databaseUrlFromEnv } from '../client.js';
import { maskUrl } from '../mask-url.js';
import { readHistorySettings, scrubError, type HistorySettings, type RunKind } from './settings.js';
import { finishRun, heartbeat, historyTable, insertFinishedRun, insertRun, pruneRuns, type RunStart } from './store.js';

type Env = Record<string, string | undefined>;

export interface RunHistoryOptions {
  /** The name runs are recorded under (the job's folder name; 'migrate' for the runner). */
  job: string;
  kind: RunKind;
  env?: Env;
}

/**
 * The runJob hook that writes wxyc_schema.job_runs: a row at the start (on its own connection,
 * kept open so the row's backend shows whether the process still lives), a heartbeat, the
 * outcome at the end, then a prune of this job's old runs. Every write is best effort: a
 * failure is one warning line and the job's own outcome stands.
 */
export function runHistory(opts: RunHistoryOptions): RunHook {
  const env = opts.env ?? process.env;
  let rec: Recording | null = null;
  return {
    start(_name, log) {
      let url: string;
      try {
        url = databaseUrlFromEnv(env);
      } catch {
        return; // no usable DATABASE_URL: the job itself says so, history stays silent
      }
      rec = new Recording(
        { job: opts.job, kind: opts.kind, startedAt: new Date() },
        readHistorySettings(env),
        url,
        env,
        log,
      );
    },
    async finish(end) {
      await rec?.finish(end);
    },
  };
}

class Recording {
  private readonly sql: Sql;
  private readonly started: Promise<number | null>;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly run: RunStart,
    private readonly settings: HistorySettings,
    url: string,
    env: Env,
    private readonly log: Logger,
  ) {
    this.sql = createDbClient({
      url,
      applicationName: `wxyc-run-history:${run.job}`,
      // Its own short timeouts: a history write never waits long on a lock or a slow server.
      env: { DB_CONNECT_TIMEOUT_S: env.DB_CONNECT_TIMEOUT_S ?? '5' },
      max: 1,
      idleTimeoutS: 0,
      settings: { statement_timeout: 5000, lock_timeout: 2000 },
    });
    this.started = this.begin();
  }

  private async begin(): Promise<number | null> {
    try {
      const t = await historyTable(this.sql);
      if (!t.exists) return null; // before migration 0058: written whole at the end if it exists by then
      const id = await insertRun(this.sql, this.run, this.settings, t, new Date());
      this.timer = setInterval(() => {
        heartbeat(this.sql, id).catch((err: unknown) => this.warn('heartbeat', err));
      }, this.settings.heartbeatMs);
      this.timer.unref();
      return id;
    } catch (err) {
      this.warn('recording the start', err);
      return null;
    }
  }

  async finish(end: RunEnd): Promise<void> {
    const id = await this.started;
    clearInterval(this.timer);
    const error = scrubError(end.error, maskUrl);
    try {
      if (id !== null) await finishRun(this.sql, id, end, error);
      else {
        const t = await historyTable(this.sql);
        if (!t.exists) return; // a database before 0058: nothing to record into
        await insertFinishedRun(this.sql, this.run, this.settings, t, end, error, new Date());
      }
      await pruneRuns(this.sql, this.run.job, this.settings.retentionDays);
    } catch (err) {
      this.warn('recording the end', err);
    } finally {
      await this.sql.end({ timeout: 2 }).catch(() => {});
    }
  }

  private warn(what: string, err: unknown): void {
    // An unreachable server is the job's own one-line error; saying it twice helps nobody.
    if (this.warned || isUnreachable(err)) return;
    this.warned = true;
    const msg = err instanceof Error ? err.message : String(err);
    this.log.warn(`run history: ${what} failed (${scrubError(msg, maskUrl)}); the job's outcome is unaffected`);
  }
}
