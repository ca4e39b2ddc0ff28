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
 * tells `onRequest` of each (key, request number) before answering.
 */
export async function startMetadataServer(faults: Faults, onHang?: (key: string) => void, onRequest?: (key: string, n: number) => void) {
  const log: { key: string; status: number | 'hang'; at: number }[] = [];
  const hung = new Set<string>();
  const open = new Set<ServerResponse>();
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const n = log.length + 1;
    const key = decodeURIComponent((req.url ?? '').replace(/^\/albums\//, ''));
    const status = (s: number | 'hang') => log.push({ key, status: s, at: Date.now() });
    onRequest?.(key, n);
    if (faults.hangOnce?.has(key) && !hung.has(key)) {
      hung.add(key);
      status('hang');
      open.add(res);
      onHang?.(key);
      return;
    }
    if (faults.allDown || faults.down?.has(key)) return status(503), res.writeHead(503).end('down');
    if (faults.limitEvery && n % faults.limitEvery === 0) {
      status(429);
      return res.writeHead(429, { 'retry-after': faults.retryAfter ?? '1' }).end('slow down');
    }
    if (faults.failEvery && n % faults.failEvery === 0) return status(500), res.writeHead(500).end('oops');
    status(200);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ label: `label of ${key}`, year: 1990 + (key.length % 10) }));
  };
  const server = createServer(answer);
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
