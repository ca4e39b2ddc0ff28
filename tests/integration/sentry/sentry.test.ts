// Sentry reporting from a real job process, against a local HTTP server posing as the DSN's
// host that records every envelope: check-ins in_progress -> ok / error, one event per failure
// with job, exit code and image version, never a password or a full URL; with SENTRY_DSN
// unset nothing arrives; a bad DSN or a Sentry that never answers leaves the exit code alone.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redactUrls } from '@wxyc/sentry';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const fixture = fileURLToPath(new URL('../../support/history-job.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
let server: Server;
let port = 0;
let received: { path: string; body: string }[] = [];
let hang = false;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        path: req.url ?? '',
        body: (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString(),
      });
      if (!hang) res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received = [];
  hang = false;
});

const dsn = () => `http://publickey@127.0.0.1:${port}/42`;
function run(mode: string, env: Record<string, string>): Promise<{ code: number | null; err: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [fixture, mode], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, HISTORY_JOB: 'tick', IMAGE_VERSION: 'sha-abc123', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, err, ms: Date.now() - t0 })));
}

/** Envelope items (header line + payload line pairs after the envelope header). */
function items(): { type: string; payload: Record<string, any> }[] {
  return received.flatMap(({ body }) => {
    const lines = body.split('\n').filter(Boolean).slice(1);
    const out = [];
    for (let i = 0; i + 1 < lines.length; i += 2)
      out.push({ type: JSON.parse(lines[i]!).type as string, payload: JSON.parse(lines[i + 1]!) });
    return out;
  });
}

describe('Sentry', () => {
  it('a failed cron run: check-ins in_progress then error, and one event with job, exit code, release; no password, no full URL', async () => {
    const r = await run('fail', { SENTRY_DSN: dsn() });
    expect(r.code).toBe(11);
    expect(r.err.trim().split('\n')).toHaveLength(1); // the job's own error line only
    expect(received.every((x) => x.path.startsWith('/api/42/envelope/'))).toBe(true);
    const all = items();
    expect(all.filter((i) => i.type === 'check_in').map((i) => [i.payload.monitor_slug, i.payload.status])).toEqual([
      ['tick', 'in_progress'],
      ['tick', 'error'],
    ]);
    const [event] = all.filter((i) => i.type === 'event');
    expect(event!.payload).toMatchObject({
      level: 'error',
      release: 'sha-abc123',
      tags: { job: 'tick', exit_code: '11', outcome: 'failed' },
    });
    expect(event!.payload.message).toBe('tick failed with exit code 11: source postgres://db.example/… refused');
    const everything = received.map((x) => x.body).join('\n');
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('etl:');
    expect(everything).not.toContain('5432/wxyc');
  });

  it('an event carries no host name and no absolute path (only what the README lists)', async () => {
    expect((await run('fail', { SENTRY_DSN: dsn() })).code).toBe(11);
    const [event] = items().filter((i) => i.type === 'event');
    expect(event!.payload).not.toHaveProperty('server_name');
    const frames = (event!.payload.exception?.values ?? []).flatMap((v: any) => v.stacktrace?.frames ?? []);
    for (const f of frames) {
      for (const p of [f.filename, f.abs_path].filter((x) => x !== undefined))
        expect(isAbsolute(p) || String(p).startsWith('file:')).toBe(false);
    }
    const everything = received.map((x) => x.body).join('\n');
    expect(everything).not.toContain(repoRoot);
    expect(everything).not.toContain(`"${hostname()}"`);
  });

  it('an ok run and a skipped tick check in ok and send no event; an interrupted one checks in error', async () => {
    expect((await run('ok', { SENTRY_DSN: dsn() })).code).toBe(0);
    expect((await run('skip', { SENTRY_DSN: dsn() })).code).toBe(0);
    expect((await run('interrupt', { SENTRY_DSN: dsn() })).code).toBe(130);
    const all = items();
    expect(all.filter((i) => i.type === 'event')).toEqual([]);
    expect(all.filter((i) => i.type === 'check_in').map((i) => i.payload.status)).toEqual([
      'in_progress',
      'ok',
      'in_progress',
      'ok',
      'in_progress',
      'error',
    ]);
  });

  it('a one-shot job sends no check-ins, only its failure', async () => {
    expect((await run('fail', { SENTRY_DSN: dsn(), HISTORY_KIND: 'one-shot' })).code).toBe(11);
    expect(items().map((i) => i.type)).toEqual(['event']);
  });

  it('SENTRY_DSN unset or empty: nothing arrives and nothing is said', async () => {
    for (const env of [{}, { SENTRY_DSN: '' }] as Record<string, string>[]) {
      const r = await run('fail', env);
      expect(r.code).toBe(11);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(received).toEqual([]);
  });

  it('a DSN that is not one: one warning, nothing sent, the exit code stands', async () => {
    const r = await run('ok', { SENTRY_DSN: 'https://sentry.example.org' });
    expect(r.code).toBe(0);
    expect(r.err.trim()).toBe(
      '[tick] warning: SENTRY_DSN is not a Sentry DSN (expected https://<key>@<host>/<project id>); nothing is reported to Sentry.',
    );
    expect(received).toEqual([]);
  });

  it('a Sentry that accepts and never answers delays the end by the flush bound only', async () => {
    hang = true;
    const r = await run('fail', { SENTRY_DSN: dsn() });
    expect(r.code).toBe(11);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(received.length).toBeGreaterThan(0); // it did arrive; no answer ever came
    expect(r.ms).toBeLessThan(10_000); // two envelopes, 2 s each at most, plus the process
  });

  it('redactUrls keeps scheme and host only', () => {
    expect(redactUrls('x mysql://root:pw@legacy.host:3306/db?a=b y')).toBe('x mysql://legacy.host/… y');
    expect(redactUrls('no url here')).toBe('no url here');
  });
});
