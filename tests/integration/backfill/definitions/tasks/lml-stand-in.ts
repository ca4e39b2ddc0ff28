// Test-only stand-in of the station's metadata lookup service (LML): POST /api/v1/lookup with
// {artist, album} and POST /api/v1/lookup/bulk with {items: [...]} (one result per item, in order,
// `status: "error"` for a failed item). Answers come from a table the test fills; every request is logged.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = { status?: number; body?: unknown; itemError?: string; delayMs?: number };

export async function startLml(answers: Map<string, Answer>) {
  const log: { path: string; keys: string[] }[] = [];
  const of = (i: { artist: string; album: string }) => `${i.artist} - ${i.album}`;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as {
        artist: string;
        album: string;
        items?: { artist: string; album: string }[];
      };
      const items = req.url === '/api/v1/lookup/bulk' ? (body.items ?? []) : [body];
      log.push({ path: req.url ?? '', keys: items.map(of) });
      const answer = (i: { artist: string; album: string }) =>
        answers.get(of(i)) ?? { body: { results: [], search_type: 'direct' } };
      if (req.url === '/api/v1/lookup/bulk') {
        const results = items.map((i) => {
          const a = answer(i);
          return a.itemError ? { status: 'error', error: a.itemError } : { status: 'ok', ...(a.body as object) };
        });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
      }
      const a = answer(body);
      const send = () =>
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
