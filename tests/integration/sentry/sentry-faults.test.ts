// A Sentry that misbehaves must not hold a job: a real job process reports to a local server
// posing as the DSN's host that trickles one byte a second after its headers, never answers,
// answers 500, answers 429 with an absurd Retry-After, or resets the connection. In every case
// the job exits by itself with the exit code it has without Sentry. The 30 s kill below is only a
// backstop for the old behaviour (a trickle kept the job alive for ever); the bound itself is a
// few seconds and the assertions are on the exit, not on a time window.
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const fixture = fileURLToPath(new URL('../../support/history-job.mjs', import.meta.url));
type Mode = 'trickle' | 'hang' | '500' | '429' | 'reset';
let mode: Mode = 'trickle';
let requests = 0;
let server: Server;
let port = 0;
const timers = new Set<NodeJS.Timeout>();

function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
  const t = setInterval(() => res.write('x'), 1000);
  timers.add(t);
  res.on('close', () => {
    clearInterval(t);
    timers.delete(t);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      if (mode === 'trickle') return trickle(res);
      if (mode === 'hang') return;
      if (mode === '500') return void res.writeHead(500).end('oops');
      if (mode === '429')
        return void res
          .writeHead(429, { 'retry-after': '99999999999999999999', 'x-sentry-rate-limits': '99999999999999:all:org' })
          .end();
      req.socket.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Runs the job; `code` null means it did not exit by itself within 30 s and was killed. */
function run(job: 'ok' | 'fail', env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [fixture, job], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, HISTORY_JOB: 'tick', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const backstop = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(backstop);
      resolve({ code, err });
    }),
  );
}

describe('a misbehaving Sentry never holds a job', () => {
  const dsn = () => `http://publickey@127.0.0.1:${port}/42`;
  for (const m of ['trickle', 'hang', '500', '429', 'reset'] as const) {
    it(`${m}: the job exits by itself with its own exit code`, async () => {
      mode = m;
      requests = 0;
      const [fail, ok] = await Promise.all([run('fail', { SENTRY_DSN: dsn() }), run('ok', { SENTRY_DSN: dsn() })]);
      expect(requests).toBeGreaterThan(0); // Sentry was really asked
      expect(fail.code).toBe(11);
      expect(fail.err.trim().split('\n')).toEqual([
        '[tick] error: source postgres://etl:hunter2@db.example:5432/wxyc?password=hunter2 refused',
      ]);
      expect(ok.code).toBe(0);
    }, 70_000);
  }

  it('without Sentry the same runs exit 11 and 0', async () => {
    expect((await run('fail', {})).code).toBe(11);
    expect((await run('ok', {})).code).toBe(0);
  });
});
