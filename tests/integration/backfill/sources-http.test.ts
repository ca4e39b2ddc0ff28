// JSON Lines feeds over HTTP from a local server: streamed and gunzipped, resumed at a checkpoint,
// and each way a feed breaks ends in one line naming the (masked) URL, in bounded time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { httpJsonlSource, type SourceReader } from '@wxyc/backfill';
import { gz, jsonl, serve, startFeedServer } from '../../support/feed-server.js';
import { failure } from '../../support/job-failure.js';

const records = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, artist: `Artist ${i + 1} é 🎧` }));
const body = jsonl(records);
let feed: Awaited<ReturnType<typeof startFeedServer>>;
let etag = '"v1"';

beforeAll(async () => {
  feed = await startFeedServer({
    '/plays.jsonl.gz': (req, res) => serve(gz(body), etag)(req, res),
    '/bad.jsonl': serve('{"id":1}\n{"id":2}\n{"id":3, oops}\n{"id":4}\n'),
    '/truncated.jsonl.gz': serve(gz(body).subarray(0, 3000)),
    '/cut-mid-line': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }); // chunked
      res.write('{"id":1}\n{"id":2}\n{"id":3,"artist":"Ste');
      setTimeout(() => res.socket?.destroy(), 50);
    },
    '/stall': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"id":1}\n{"id":2}\n'); // then nothing, connection kept open
    },
    '/trickle': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const text = jsonl(records);
      let at = 0;
      feed.every(20, () => void (at < text.length && res.write(text[at++]!)));
    },
    '/headers-never': () => {}, // accepts and never answers
    '/down': (_req, res) => void res.writeHead(503).end('maintenance'),
    '/private.jsonl': (req, res) =>
      req.headers.authorization === 'Bearer s3cret' ? serve('{"id":1}\n')(req, res) : void res.writeHead(401).end(),
  });
});
afterAll(() => feed.stop());

async function drain(r: SourceReader, limit: number) {
  const batches = [];
  for (;;) {
    const b = await r.next(limit);
    batches.push(b);
    if (b.done) return batches;
  }
}

describe('httpJsonlSource', () => {
  it('streams a .jsonl.gz feed in batches; a resume at the checkpoint reads the rest once', async () => {
    const src = httpJsonlSource({ url: `${feed.base}/plays.jsonl.gz` });
    const r = await src.open(null);
    const first = await r.next(300);
    expect(first.records).toEqual(records.slice(0, 300));
    expect(first.checkpoint).toEqual({ line: 300, version: '"v1"' });
    await r.close();
    const rest = await drain(await src.open(first.checkpoint), 300);
    expect(rest.flatMap((b) => b.records)).toEqual(records.slice(300));
    expect(rest.at(-1)!.checkpoint).toEqual({ line: 1000, version: '"v1"' });
  });

  it('refuses to resume when the feed changed (another ETag): its lines may have moved', async () => {
    etag = '"v2"';
    try {
      const err = await failure(
        httpJsonlSource({ url: `${feed.base}/plays.jsonl.gz` }).open({ line: 300, version: '"v1"' }),
      );
      expect(err.exitCode).toBe(EXIT.CONFIG);
      expect(err.message).toMatch(
        /the feed changed since the checkpoint \(version "v1", now "v2"\).*rerun with --reset/,
      );
    } finally {
      etag = '"v1"';
    }
  });

  it('a malformed line: the records before it, then its line number and what is wrong', async () => {
    const r = await httpJsonlSource({ url: `${feed.base}/bad.jsonl` }).open(null);
    const b = await r.next(100);
    expect(b.records).toEqual([{ id: 1 }, { id: 2 }]);
    expect(b.checkpoint).toMatchObject({ line: 2 });
    const err = await failure(r.next(100));
    expect(err.exitCode).toBe(EXIT.FAILED);
    expect(err.message).toMatch(
      new RegExp(
        `^source feed ${feed.base}/bad\\.jsonl: line 3 is not valid JSON: .*nothing from there on was written`,
      ),
    );
    await r.close();
  });

  it('a truncated .gz: a data error after the last whole line, not a silent end', async () => {
    const r = await httpJsonlSource({ url: `${feed.base}/truncated.jsonl.gz` }).open(null);
    const err = await failure(drain(r, 100));
    expect(err.exitCode).toBe(EXIT.FAILED);
    expect(err.message).toMatch(/: the gzip data is truncated or corrupt after line \d+ \(unexpected end of file\)/);
  });

  it('the server closes mid-line: exit 3 naming the URL, the partial line never parsed as a record', async () => {
    const r = await httpJsonlSource({ url: `${feed.base}/cut-mid-line` }).open(null);
    const err = await failure(drain(r, 100));
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(
      new RegExp(
        `^source feed ${feed.base}/cut-mid-line: the stream broke after line 2 \\(terminated.*\\); .*run again to resume`,
      ),
    );
  });

  it('a stalled body, a trickling body and missing headers each end at the deadline', async () => {
    const stalled = await httpJsonlSource({ url: `${feed.base}/stall`, timeoutMs: 300 }).open(null);
    const e1 = await failure(stalled.next(10));
    expect(e1.exitCode).toBe(EXIT.UNREACHABLE);
    expect(e1.message).toMatch(/the feed stalled: no data for the batch within 300 ms \(after line 2\)/);
    await stalled.close();

    // one byte every 20 ms never fills a batch of 100 lines within the deadline
    const trickle = await httpJsonlSource({ url: `${feed.base}/trickle`, timeoutMs: 400 }).open(null);
    const e2 = await failure(trickle.next(100));
    expect(e2.message).toMatch(/the feed stalled: no data for the batch within 400 ms/);
    await trickle.close();

    const e3 = await failure(httpJsonlSource({ url: `${feed.base}/headers-never`, timeoutMs: 300 }).open(null));
    expect(e3.message).toMatch(/the request failed: no answer within 300 ms/);
  });

  it('status errors: 503 is the source failing (3), 401/404 a wrong URL or credentials (2); secrets masked', async () => {
    const down = await failure(httpJsonlSource({ url: `${feed.base}/down?token=hunter2` }).open(null));
    expect(down.exitCode).toBe(EXIT.UNREACHABLE);
    expect(down.message).toBe(
      `source feed ${feed.base}/down?token=***: answered HTTP 503 Service Unavailable; nothing after the last committed batch was written; run again to resume from its checkpoint`,
    );
    const denied = await failure(
      httpJsonlSource({ url: `${feed.base}/private.jsonl`, headers: { authorization: 'Bearer wrong' } }).open(null),
    );
    expect(denied.exitCode).toBe(EXIT.CONFIG);
    expect(denied.message).toMatch(/answered HTTP 401 Unauthorized: check the URL and its credentials/);
    expect(denied.message).not.toContain('wrong');
    const ok = await httpJsonlSource({
      url: `${feed.base}/private.jsonl`,
      headers: { authorization: 'Bearer s3cret' },
    }).open(null);
    expect((await ok.next(5)).records).toEqual([{ id: 1 }]);
    const gone = await failure(httpJsonlSource({ url: `${feed.base}/nope.jsonl` }).open(null));
    expect(gone.exitCode).toBe(EXIT.CONFIG);
  });
});
