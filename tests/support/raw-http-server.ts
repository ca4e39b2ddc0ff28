import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/**
 * A local HTTP server (127.0.0.1, port 0) answering with `handler`, for faults a well-behaved
 * server cannot show (a stalled body, a reset mid-answer, absurd headers). It records each
 * request's path and counts them from 1; `close()` destroys whatever is still open.
 */
export async function startRawServer(handler: Handler, opts: { keepAliveTimeoutMs?: number } = {}) {
  const log: { path: string; method: string }[] = [];
  const server = createServer((req, res) => {
    log.push({ path: req.url ?? '', method: req.method ?? '' });
    handler(req, res, log.length);
  });
  if (opts.keepAliveTimeoutMs) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
