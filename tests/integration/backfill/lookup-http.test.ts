// The lookup HTTP layer (ApiLimiter) against local servers that misbehave as real ones do (#26
// lookup faults): a stalled or huge body, a reset mid-body, redirects, absurd Retry-After, a
// stop while calls wait for tokens, and a process that must exit once its work is done.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiLimiter, DEFAULT_LIMITER, LookupFailed, MAX_RETRY_AFTER_MS, type LimiterSettings } from '@wxyc/backfill';
import { startRawServer, type Handler } from '../../support/raw-http-server.js';

const fast: LimiterSettings = {
  ...DEFAULT_LIMITER,
  requestsPerMinute: 60_000,
  burst: 8,
  timeoutMs: 300,
  maxRetries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
};
let server: Awaited<ReturnType<typeof startRawServer>> | null = null;
const limiters: ApiLimiter[] = [];
afterEach(async () => {
  for (const l of limiters.splice(0)) l.close();
  await server?.close();
  server = null;
});

async function serve(handler: Handler, opts?: { keepAliveTimeoutMs?: number }) {
  server = await startRawServer(handler, opts);
  return server;
}
function limiterOf(s: Partial<LimiterSettings>, signal?: AbortSignal) {
  const l = new ApiLimiter({ ...fast, ...s }, signal);
  limiters.push(l);
  return l;
}
/** The error a call ends with (the test fails if it succeeds). */
async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${String(v)}`);
    },
    (e: unknown) => e as Error,
  );
}

describe('the per-call deadline covers the whole body', () => {
  it('a body that starts then stalls fails at the deadline, is retried, and is seen by the breaker', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"label":'); // ...and nothing more
    });
    const l = limiterOf({ breakerThreshold: 1 });
    const err = await failure(l.fetch(`${s.url}/a`).then((r) => r.text()));
    expect(err).toBeInstanceOf(LookupFailed);
    expect(err.message).toBe('timed out after 300 ms (after 9 of 1000 body bytes) after 3 attempts');
    expect(s.log.length).toBe(3);
    expect(l.breaker.state).toBe('open');
  }, 15_000);

  it('a 2 GB Content-Length then silence fails at once on the body cap, naming it; not retried', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(200, { 'content-length': String(2 * 1024 ** 3) });
      res.write('x');
    });
    const l = limiterOf({ maxBodyBytes: 1024 * 1024 });
    const err = await failure(l.fetch(`${s.url}/a`).then((r) => r.text()));
    expect(err.message).toMatch(
      /^answer of 2147483648 bytes \(Content-Length\) is over the cap of 1048576 bytes \(maxBodyBytes\) \(GET 127\.0\.0\.1:\d+\)$/,
    );
    expect(s.log.length).toBe(1);
  }, 15_000);

  it('an answer bigger than the cap without a Content-Length is cut at the cap', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const s = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const more = () => {
        while (sent < 20 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 20 * 1024 * 1024) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const l = limiterOf({ maxBodyBytes: 1024 * 1024, timeoutMs: 5000 });
    const err = await failure(l.fetch(`${s.url}/big`));
    expect(err.message).toMatch(/^answer over the cap of 1048576 bytes \(maxBodyBytes\)/);
  }, 15_000);

  it('a connection reset mid-body is retried: the second answer is returned whole', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"lab');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"label":"ok"}');
    });
    const l = limiterOf({});
    expect(await (await l.fetch(`${s.url}/a`)).json()).toEqual({ label: 'ok' });
    expect(s.log.length).toBe(2);
    expect(l.requests).toBe(2);
  }, 15_000);
});

describe('errors say why', () => {
  it('a connection reset on every attempt names it, with the attempts', async () => {
    const s = await serve((q) => q.socket.destroy());
    const err = await failure(limiterOf({}).fetch(`${s.url}/a`));
    expect(err.message).toMatch(/^(ECONNRESET: )?socket hang up after 3 attempts$/);
  }, 15_000);

  it('a refused connection names ECONNREFUSED; a 503 names the status; mixed causes are all listed', async () => {
    const s = await serve((_q, res, n) => (n === 1 ? res.socket?.destroy() : res.writeHead(503).end('down')));
    const err = await failure(limiterOf({}).fetch(`${s.url}/a`));
    expect(err.message).toMatch(
      /^HTTP 503 Service Unavailable after 3 attempts \(also: (ECONNRESET: )?socket hang up\)$/,
    );
    expect((err as LookupFailed).status).toBe(503);
    const port = new URL(s.url).port;
    await s.close();
    server = null;
    const refused = await failure(limiterOf({}).fetch(`http://127.0.0.1:${port}/a`));
    expect(refused.message).toMatch(/ECONNREFUSED/);
  }, 15_000);
});

describe('Retry-After', () => {
  it('an absurd Retry-After (9999999999999 s) is clamped: a valid time, at most a day', async () => {
    const s = await serve((_q, res) => res.writeHead(429, { 'retry-after': '9999999999999' }).end());
    const err = (await failure(limiterOf({ maxRetries: 0 }).fetch(`${s.url}/a`))) as LookupFailed;
    expect(err.message).toBe('HTTP 429 Too Many Requests after 1 attempts');
    expect(err.retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    expect(() => new Date(Date.now() + err.retryAfterMs).toISOString()).not.toThrow();
  }, 15_000);
});

describe('redirects', () => {
  it('each hop is a request counted by the limiter (a token each)', async () => {
    const s = await serve((q, res) => {
      const hop = Number(q.url!.slice(3));
      if (hop > 0) return res.writeHead(302, { location: `/r/${hop - 1}` }).end();
      res.writeHead(200).end('here');
    });
    const l = limiterOf({});
    const res = await l.fetch(`${s.url}/r/4`);
    expect(await res.text()).toBe('here');
    expect(res.url).toBe(`${s.url}/r/0`);
    expect(s.log.map((e) => e.path)).toEqual(['/r/4', '/r/3', '/r/2', '/r/1', '/r/0']);
    expect(l.requests).toBe(5);
  }, 15_000);

  it('a redirect loop stops at maxRedirects, every hop counted; a POST becomes a GET on 303', async () => {
    const s = await serve((q, res) =>
      q.url === '/done'
        ? res.writeHead(200).end(q.method)
        : res.writeHead(q.url === '/see' ? 303 : 301, { location: q.url === '/see' ? '/done' : '/loop' }).end(),
    );
    const l = limiterOf({ maxRedirects: 3 });
    const err = await failure(l.fetch(`${s.url}/loop`));
    expect(err.message).toMatch(/^more than 3 redirects \(maxRedirects\)/);
    expect([s.log.length, l.requests]).toEqual([4, 4]);
    expect(await (await l.fetch(`${s.url}/see`, { method: 'POST', body: '{}' })).text()).toBe('GET');
  }, 15_000);
});

describe('a stop while calls wait', () => {
  it('rejects every waiter at once, sends nothing more, spins nothing, warns nothing (30 waiters on one signal)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const s = await serve((_q, res) => res.writeHead(200).end('ok'));
      const stop = new AbortController();
      const l = limiterOf({ requestsPerMinute: 60, burst: 1 }, stop.signal); // one token a second
      const calls = Array.from({ length: 30 }, (_, i) =>
        l.fetch(`${s.url}/k${i}`).then(
          () => 'answered',
          (e: unknown) => e,
        ),
      );
      await calls[0];
      while (l.waiting < 29) await new Promise((r) => setTimeout(r, 5));
      const cpu = process.cpuUsage();
      const reason = new Error('SIGTERM');
      stop.abort(reason);
      const settled = await Promise.all(calls);
      const used = process.cpuUsage(cpu);
      expect(settled[0]).toBe('answered');
      expect(settled.slice(1).every((e) => e === reason)).toBe(true);
      expect(s.log.length).toBe(1);
      expect((used.user + used.system) / 1000).toBeLessThan(500); // settling 29 waiters is not a busy loop
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  }, 15_000);
});

describe('the process', () => {
  it('exits right after its final line: kept-alive sockets and timers do not hold it open', async () => {
    const s = await serve((_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), {
      keepAliveTimeoutMs: 60_000,
    });
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('../../support/lookup-linger-child.mjs', import.meta.url)), s.url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let doneAt = 0;
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('done: 3 requests')) doneAt = Date.now();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(doneAt).toBeGreaterThan(0);
    // a bound, not a window: today's failure mode is the server's keep-alive (60 s here)
    expect(Date.now() - doneAt).toBeLessThan(5000);
  }, 30_000);
});
