// A local HTTP server (127.0.0.1, port 0) serving JSON Lines feeds, whole or broken on purpose:
// gzipped, cut mid-line, stalled, trickled, a truncated .gz, a 404, a 503. Records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export const jsonl = (records: readonly object[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Whole body with an ETag; gzipped as a file (Content-Type application/gzip, no Content-Encoding). */
export const serve =
  (body: string | Buffer, etag = '"v1"'): Route =>
  (_req, res) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(200, {
      'content-type': Buffer.isBuffer(body) ? 'application/gzip' : 'application/x-ndjson',
      'content-length': buf.length,
      etag,
    });
    res.end(buf);
  };

export const gz = (text: string) => gzipSync(Buffer.from(text));

export async function startFeedServer(routes: Record<string, Route>) {
  const requests: { path: string; authorization?: string }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, authorization: req.headers.authorization });
    const route = routes[path];
    if (!route) return void res.writeHead(404).end('no such feed');
    route(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    /** A timer the server clears when it stops (trickling routes). */
    every(ms: number, fn: () => void) {
      const t = setInterval(fn, ms);
      timers.add(t);
      return t;
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
