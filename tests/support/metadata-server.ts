import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake metadata API misbehaves; request numbers count every request, from 1. */
export interface Faults {
  /** Every Nth request answers 500 (10: 10% of calls). */
  failEvery?: number;
  /** Every Nth request answers 429 with this Retry-After. */
  limitEvery?: number;
  retryAfter?: string;
  /** Keys whose first request hangs (never answered): told to onHang. */
  hangOnce?: Set<string>;
  /** Keys that always answer 503. */
  down?: Set<string>;
  /** Everything answers 503. */
  allDown?: boolean;
}

/**
 * A local HTTP metadata API on 127.0.0.1 (port 0) for lookup backfills: GET /albums/<key> answers
 * `{ label, year }`, misbehaving as `faults` says. It records every request so tests can count, and
 * tells `onRequest` of each (key, request number) before answering; when it returns a promise the
 * answer waits for it (so a test can order an event before the client sees this answer).
 */
export async function startMetadataServer(
  faults: Faults,
  onHang?: (key: string) => void,
  onRequest?: (key: string, n: number) => void | Promise<unknown>,
) {
  const log: { key: string; status: number | 'hang'; at: number }[] = [];
  const hung = new Set<string>();
  const open = new Set<ServerResponse>();
  let received = 0;
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const n = ++received;
    const key = decodeURIComponent((req.url ?? '').replace(/^\/albums\//, ''));
    const status = (s: number | 'hang') => log.push({ key, status: s, at: Date.now() });
    await onRequest?.(key, n); // a promise holds this answer until it settles (an event to order on)
    if (faults.hangOnce?.has(key) && !hung.has(key)) {
      hung.add(key);
      status('hang');
      open.add(res);
      onHang?.(key);
      return;
    }
    if (faults.allDown || faults.down?.has(key)) return (status(503), res.writeHead(503).end('down'));
    if (faults.limitEvery && n % faults.limitEvery === 0) {
      status(429);
      return res.writeHead(429, { 'retry-after': faults.retryAfter ?? '1' }).end('slow down');
    }
    if (faults.failEvery && n % faults.failEvery === 0) return (status(500), res.writeHead(500).end('oops'));
    status(200);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ label: `label of ${key}`, year: 1990 + (key.length % 10) }));
  };
  const server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    faults,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
