import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in does for one item, by key `"<artist> - <album>"` (the raw_message). */
export type LmlScript =
  | { answer: { results?: unknown[]; search_type?: string; timeout?: boolean } }
  | { status: number; retryAfter?: string; times?: number }
  /** bulk only: this item fails alone (`status: "error"`). */
  | { itemError: string }
  /** headers and part of the body, then nothing (the client's deadline must end it). */
  | { stall: true }
  /** the answer one byte every `everyMs`. */
  | { trickle: number }
  /** the connection reset before any answer, `times` times (then the default answer). */
  | { reset: true; times?: number };

export interface LmlRequest {
  path: string;
  auth: string | undefined;
  body: unknown;
}

/**
 * Faults drawn at random (seeded, so a run can be repeated) on top of the script, bulk endpoint
 * only: a share of requests answered 429, and a share of items failed alone (`status: "error"`)
 * the first time they are asked; asked again, such an item answers (a transient upstream error).
 */
export interface LmlFaults {
  tooManyRate: number;
  itemErrorRate: number;
  /** Retry-After of the 429s (absent: the client's own back-off). */
  retryAfter?: string;
  seed?: number;
}

/** mulberry32: a small seeded PRNG, [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const standard = (key: string) => ({
  results: [{ artwork: { release_id: 1000 + key.length } }],
  search_type: 'direct',
});

/**
 * A local stand-in of the station's metadata lookup service (LML) on 127.0.0.1, port 0:
 * `POST /api/v1/lookup` ({artist, album, raw_message}) and `POST /api/v1/lookup/bulk` ({items}),
 * Bearer auth (401 otherwise). Each key answers as `script` says (default: a direct match,
 * release id 1000 + key length); every request is recorded.
 */
export async function startLmlServer(apiKey: string, script: Map<string, LmlScript> = new Map(), faults?: LmlFaults) {
  const requests: LmlRequest[] = [];
  const draw = random(faults?.seed ?? 1);
  /** What the random faults did: 429s sent, items failed. */
  const faulted = { tooMany: 0, itemErrors: 0 };
  /** When each request arrived (performance.now()), in order: a client's pace, as the service saw it. */
  const arrivals: number[] = [];
  const seen = new Map<string, number>();
  const once = (key: string) => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n;
  };
  const keyOf = (item: { raw_message?: string; artist?: string; album?: string }) =>
    item.raw_message ?? `${item.artist} - ${item.album}`;
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const single = (res: ServerResponse, item: Record<string, string>) => {
    const key = keyOf(item);
    const s = script.get(key);
    const n = once(key);
    if (!s || 'itemError' in s) return json(res, 200, standard(key));
    if ('answer' in s) return json(res, 200, s.answer);
    if ('status' in s && n <= (s.times ?? Infinity))
      return res.writeHead(s.status, s.retryAfter ? { 'retry-after': s.retryAfter } : {}).end('{"error":"scripted"}');
    if ('stall' in s)
      return res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' }).write('{"results":');
    if ('trickle' in s) return trickle(res, JSON.stringify(standard(key)), s.trickle);
    if ('reset' in s && n <= (s.times ?? Infinity)) return res.socket?.destroy();
    json(res, 200, standard(key));
  };

  /** Bulk requests a scripted status failed so far, by key: its `times` counts these. */
  const failedWhole = new Map<string, number>();
  const bulk = (res: ServerResponse, items: Record<string, string>[]) => {
    if (faults && draw() < faults.tooManyRate) {
      faulted.tooMany++;
      return res.writeHead(429, faults.retryAfter ? { 'retry-after': faults.retryAfter } : {}).end();
    }
    // a scripted status fails the whole request, `times` times for that key (then it answers)
    for (const key of items.map(keyOf)) {
      const s = script.get(key);
      if (!s || !('status' in s)) continue;
      const n = (failedWhole.get(key) ?? 0) + 1;
      if (n > (s.times ?? Infinity)) continue;
      failedWhole.set(key, n);
      return res.writeHead(s.status, s.retryAfter ? { 'retry-after': s.retryAfter } : {}).end();
    }
    const results = items.map((item) => {
      const key = keyOf(item);
      const s = script.get(key);
      const n = once(key);
      if (s && 'itemError' in s) return { status: 'error', error: s.itemError };
      if (faults && n === 1 && draw() < faults.itemErrorRate) {
        faulted.itemErrors++;
        return { status: 'error', error: 'upstream timeout (random fault)' };
      }
      if (s && 'answer' in s) return { status: 'ok', ...s.answer };
      return { status: 'ok', ...standard(key) };
    });
    json(res, 200, { results });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    arrivals.push(performance.now());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        /* recorded as null; answered 400 below */
      }
      requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { error: 'unauthorized' });
      if (body === null || typeof body !== 'object') return json(res, 400, { error: 'body is not JSON' });
      if (req.url === '/api/v1/lookup') return single(res, body as Record<string, string>);
      if (req.url === '/api/v1/lookup/bulk')
        return bulk(res, (body as { items?: Record<string, string>[] }).items ?? []);
      json(res, 404, { error: 'no such endpoint' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script,
    faulted,
    arrivals,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function trickle(res: ServerResponse, text: string, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  let i = 0;
  const t = setInterval(() => {
    if (res.destroyed || i >= text.length) return (clearInterval(t), res.end());
    res.write(text[i++]);
  }, everyMs);
}
