import net from 'node:net';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { sleep } from './migrate/sleep.js';
import { watchForGoodbye, type ServerGoodbye } from './server-goodbye.js';

/**
 * postgres-js retries at once, forever, when a peer accepts TCP and closes before saying a
 * word (a proxy or tunnel whose database is down, a pgbouncer with no backend): it cancels its
 * connect timer on every close, so `connect_timeout` never fires and a job spins at full speed.
 * This socket factory counts such silent closes; it backs off between them and, once they have
 * gone on for the connect timeout, fails the pending query with one error (CONNECT_TIMEOUT,
 * which every job reports as "unreachable", exit 3).
 */
export interface ConnectGuardOptions {
  connectTimeoutS: number;
  /** Shown in the error: where the client tried to connect (masked). */
  target: string;
  /** Ends the waiting at once (the job is shutting down). */
  signal?: AbortSignal;
  /** Called with the FATAL error a server sends before closing a connection. */
  onGoodbye?: (g: ServerGoodbye) => void;
}

interface PgSocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
  ssl?: unknown;
}

/** Exit 3 (CONNECT_TIMEOUT, "unreachable" to every job) or 130 when the job is shutting down. */
export class ConnectGuardError extends JobError {
  override name = 'ConnectGuardError';
  constructor(
    message: string,
    readonly code: 'CONNECT_TIMEOUT' | 'INTERRUPTED',
  ) {
    super(message, code === 'INTERRUPTED' ? EXIT.INTERRUPTED : EXIT.UNREACHABLE);
  }
}

/** After giving up, connects within this long fail at once with the same error. */
const GAVE_UP_WINDOW_MS = 1000;

/** Delay before the next attempt after `closes` silent closes in a row: 50 ms doubling to 1 s. */
export function silentCloseDelayMs(closes: number): number {
  return closes <= 0 ? 0 : Math.min(1000, 50 * 2 ** (closes - 1));
}

export interface ConnectGuard {
  /** The postgres-js `socket` option. */
  socket: (o: PgSocketOptions) => Promise<net.Socket>;
  /** Sockets opened and not yet closed: 0 means no connection has anything to flush. */
  open(): number;
}

export function connectGuard(opts: ConnectGuardOptions): ConnectGuard {
  let streakStart: number | undefined;
  let lastClose = 0;
  let closes = 0;
  let next = 0;
  let gaveUp: { at: number; error: ConnectGuardError } | undefined;
  let open = 0;
  const limitMs = opts.connectTimeoutS * 1000;

  const onClose = (s: net.Socket, startedAt: number, connected: boolean, errored: boolean) => {
    open--;
    // A refused or reset connection is an error postgres-js reports itself; a server that
    // spoke is a working one. Only "connected, then closed without a byte" is the loop.
    if (!connected || errored || s.bytesRead > 0) {
      streakStart = undefined;
      return;
    }
    if (streakStart === undefined) {
      streakStart = startedAt;
      closes = 0;
    }
    closes++;
    lastClose = Date.now();
  };

  const giveUp = (elapsed: number): net.Socket => {
    const error = new ConnectGuardError(
      `${opts.target} accepted ${closes} connection(s) in ${(elapsed / 1000).toFixed(1)}s and closed each before the ` +
        `PostgreSQL handshake (DB_CONNECT_TIMEOUT_S=${opts.connectTimeoutS}): is it a proxy, tunnel or pooler whose database is down?`,
      'CONNECT_TIMEOUT',
    );
    streakStart = undefined;
    gaveUp = { at: Date.now(), error };
    return failed(error);
  };

  const socket = async (o: PgSocketOptions): Promise<net.Socket> => {
    // Just gave up: postgres-js re-dials for a reserve() it already rejected; answer it at once.
    if (gaveUp && Date.now() - gaveUp.at < GAVE_UP_WINDOW_MS) return failed(gaveUp.error);
    // A streak is consecutive silent closes; one long ago is not part of this attempt.
    if (streakStart !== undefined && Date.now() - lastClose > limitMs) streakStart = undefined;
    if (streakStart !== undefined) {
      const elapsed = Date.now() - streakStart;
      if (elapsed >= limitMs) return giveUp(elapsed);
      await sleep(Math.min(silentCloseDelayMs(closes), limitMs - elapsed), opts.signal);
    }
    if (opts.signal?.aborted)
      return failed(new ConnectGuardError(`gave up connecting to ${opts.target}: shutting down`, 'INTERRUPTED'));
    const startedAt = Date.now();
    // Several hosts (host=a,b): take them in turn, as postgres-js does.
    const i = next++ % Math.max(1, o.host.length);
    const s = o.path ? net.connect(o.path) : net.connect(o.port[i] ?? 5432, o.host[i]);
    open++;
    // Under TLS the bytes are encrypted and postgres-js wraps this socket: leave it alone.
    if (!o.ssl && opts.onGoodbye) watchForGoodbye(s, opts.onGoodbye);
    let connected = false;
    let errored = false;
    s.once('connect', () => (connected = true));
    s.once('error', () => (errored = true));
    s.once('close', () => onClose(s, startedAt, connected, errored));
    // A peer that accepts and never says a word: postgres-js's own connect timer (started just
    // after this one, same length) would fail with "write CONNECT_TIMEOUT undefined:undefined",
    // as it knows no host for a socket it did not open. Say where and how long instead.
    const where = o.path || `${o.host[i] ?? 'localhost'}:${o.port[i] ?? 5432}`;
    const silence = setTimeout(() => {
      if (s.bytesRead > 0 || s.destroyed) return;
      s.destroy(
        new ConnectGuardError(
          `could not connect to ${where} within ${opts.connectTimeoutS} s (${connected ? 'it accepted the connection and never answered the PostgreSQL handshake' : 'no TCP connection'})`,
          'CONNECT_TIMEOUT',
        ),
      );
    }, limitMs);
    silence.unref();
    s.once('close', () => clearTimeout(silence));
    return s;
  };
  return { socket, open: () => open };
}

/** A socket that fails with `err` as soon as postgres-js listens to it: the pending query gets `err`. */
function failed(err: Error): net.Socket {
  const s = new net.Socket();
  setImmediate(() => s.destroy(err));
  return s;
}
