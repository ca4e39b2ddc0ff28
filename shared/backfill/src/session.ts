import postgres, { type ReservedSql, type Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { connectionLost } from './policy.js';

export interface LockHolder {
  pid: number;
  application_name: string;
  client: string | null;
  state: string | null;
  /** How long its current (or last) statement has been running, in ms. */
  running_ms: number;
}

/** How often the server checks, during a statement, that the client is still there (PostgreSQL 14+). */
export const CLIENT_CHECK_INTERVAL_MS = 1_000;

/** The refusal when another run holds the backfill's lock: who, since when, how long it may go on. */
export function lockBusyMessage(
  name: string,
  h: LockHolder | undefined,
  statementTimeoutMs: number,
  waitedMs: number,
): string {
  if (!h) return `another run of ${name} held its lock and has just released it; run again`;
  const secs = (ms: number) => `${Math.round(ms / 1000)} s`;
  const left = Math.max(0, statementTimeoutMs - h.running_ms);
  const active =
    h.state === 'active'
      ? `running a statement for ${secs(h.running_ms)}; it ends within ${secs(left)} (statement_timeout ${secs(statementTimeoutMs)}), ` +
        `or within ${secs(CLIENT_CHECK_INTERVAL_MS)} of the server noticing its client is gone`
      : `state ${h.state ?? 'unknown'}`;
  return (
    `another run of ${name} is in progress: backend pid ${h.pid} (application_name '${h.application_name}', client ${h.client ?? 'local'}) ` +
    `holds its lock, ${active}; waited ${secs(waitedMs)}. Wait for it, or stop it: SELECT pg_terminate_backend(${h.pid});`
  );
}

/**
 * A cron tick's one line when the previous tick holds the lock, worded as the ETL jobs' skip line,
 * with who holds it if still known: `cron-items: previous tick still running (pid 81,
 * application_name 'cron-fixture', client local, state active for 3 s); skipping.`
 */
export function tickSkipLine(name: string, h: LockHolder | undefined): string {
  if (!h) return `${name}: previous tick held the lock and has just released it; skipping.`;
  return (
    `${name}: previous tick still running (pid ${h.pid}, application_name '${h.application_name}', ` +
    `client ${h.client ?? 'local'}, state ${h.state ?? 'unknown'} for ${Math.round(h.running_ms / 1000)} s); skipping.`
  );
}

/** Another run holds the lock: a one-shot fails (exit 1); a cron tick skips (the last tick is still running). */
export class LockBusy extends JobError {
  constructor(
    message: string,
    exitCode: number,
    /** The cron frame's line for a skipped tick. */
    readonly skipLine: string,
  ) {
    super(message, exitCode);
  }
}

/**
 * The batch connection: reserved from the pool, holding the backfill's session advisory lock,
 * prepared by the definition. It knows when it is dead, so nothing is ever sent on a connection
 * that has gone (postgres-js throws a TypeError synchronously for that, even from `.catch()`).
 */
export class BatchSession {
  private client: Sql | null = null;
  private conn: ReservedSql | null = null;
  /** Set when the socket closed under the session (e.g. terminated while idle between statements). */
  private lost: Error | null = null;
  pid = 0;

  constructor(
    private readonly sql: Sql,
    private readonly name: string,
    private readonly log: Logger,
    private readonly o: { lockWaitMs: number; statementTimeoutMs: number; prepare?: (sql: Sql) => Promise<void> },
  ) {}

  get alive(): boolean {
    return this.conn !== null && this.lost === null;
  }

  /**
   * The live connection; a batch attempt runs on it. One that closed while idle (a lookup run
   * holds it idle during its HTTP calls) throws a lost-connection error instead of being used:
   * postgres-js would hang, or crash on its null socket, writing to it.
   */
  get c(): ReservedSql {
    const lost = this.lost;
    if (lost) {
      this.drop({ dead: true });
      throw lost;
    }
    if (!this.conn) throw new JobError(`backfill ${this.name}: the batch connection is closed`, EXIT.FAILED);
    return this.conn;
  }

  /** Reserve, set up, take the lock (waiting up to lockWaitMs for a dying holder; 0: one try), prepare. */
  async open(): Promise<void> {
    if (this.client) this.drop({ dead: true }); // a session lost while idle: its client is thrown away
    // A client of its own (the pool's settings, one connection): after a connection loss, postgres-js
    // may reuse the dead connection object with a stale write timer (queries then hang, or crash with
    // a TypeError on its null socket), so a lost session's client is thrown away, never reused.
    const client = postgres({
      ...this.sql.options,
      max: 1,
      onclose: () => {
        if (this.client === client && this.conn)
          this.lost = Object.assign(new Error(`the batch connection (backend pid ${this.pid}) closed`), {
            code: 'CONNECTION_CLOSED',
          });
      },
    } as never);
    this.client = client;
    this.lost = null;
    this.conn = await client.reserve();
    try {
      await this.setUp(this.conn);
    } catch (err) {
      // a live connection goes back to the pool without the lock (prepare may fail after taking it)
      if (connectionLost(err)) this.drop({ dead: true });
      else await this.close();
      throw err;
    }
  }

  private async setUp(conn: ReservedSql): Promise<void> {
    // The work is idempotent and restartable: do not wait for each commit's WAL flush. A killed
    // run's statement ends a second after its client is gone, so its lock does not outlive it.
    await conn`SELECT set_config('synchronous_commit', 'off', false), set_config('client_connection_check_interval', ${String(CLIENT_CHECK_INTERVAL_MS)}, false)`;
    const started = Date.now();
    for (;;) {
      const [row] = await conn<{ pid: number; locked: boolean }[]>`
        SELECT pg_backend_pid() AS pid, pg_try_advisory_lock(hashtext('backfill:' || ${this.name})) AS locked`;
      this.pid = row!.pid;
      if (row!.locked) break;
      const waited = Date.now() - started;
      if (waited >= this.o.lockWaitMs) {
        const h = await this.holder();
        throw new LockBusy(
          lockBusyMessage(this.name, h, this.o.statementTimeoutMs, waited),
          EXIT.FAILED,
          tickSkipLine(this.name, h),
        );
      }
      await sleep(250);
    }
    await this.o.prepare?.(conn);
  }

  /** The backend holding this backfill's lock (a bigint key is classid = high 32 bits, objid = low 32 bits). */
  private async holder(): Promise<LockHolder | undefined> {
    const [h] = await this.c<LockHolder[]>`
      SELECT a.pid, a.application_name, host(a.client_addr) AS client, a.state,
             (EXTRACT(epoch FROM now() - a.query_start) * 1000)::float8 AS running_ms
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('backfill:' || ${this.name})::bigint
      LIMIT 1`;
    return h;
  }

  /** ROLLBACK, unless the connection is known dead; a failure here marks it dead. */
  async rollback(): Promise<void> {
    if (!this.conn) return;
    try {
      await this.conn`ROLLBACK`;
    } catch {
      this.drop({ dead: true });
    }
  }

  /**
   * Forget the connection without sending anything on it, and end its client. A dead one is not
   * released: postgres-js has already moved it to its closed queue, and release() would put it
   * back among the open ones (the TypeError of #13 item 8).
   */
  drop({ dead }: { dead: boolean }): void {
    const { conn, client } = this;
    this.conn = null;
    this.client = null;
    this.lost = null;
    if (conn && !dead) conn.release();
    client?.end({ timeout: 0 }).catch(() => {});
  }

  async reopen(): Promise<void> {
    await this.open();
    this.log.info(`reconnected: backend pid ${this.pid} holds the lock of ${this.name} again`);
  }

  /** Unlock and give the connection back; quiet when it is already gone. */
  async close(): Promise<void> {
    const c = this.conn;
    if (!c || this.lost) return this.drop({ dead: true });
    try {
      await c`SELECT pg_advisory_unlock(hashtext('backfill:' || ${this.name}))`;
    } catch {
      // the session is gone, and its lock with it
      this.drop({ dead: true });
      return;
    }
    this.drop({ dead: false });
  }
}
