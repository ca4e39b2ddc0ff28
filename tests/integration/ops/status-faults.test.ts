// ops:status (the real process) when things are wrong: job_runs locked by another session, a
// database or role that does not exist, junk rows, control characters in the data, an
// unreachable server under --json, and a peer that accepts and never answers.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const entry = fileURLToPath(new URL('../../../dev_env/ops-status.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'ops-faults-'));
mkdirSync(join(root, 'jobs/tick-f'), { recursive: true });
writeFileSync(
  join(root, 'jobs/tick-f/package.json'),
  JSON.stringify({ 'job-type': 'cron', 'cron-schedule': '*/30 * * * *' }),
);

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
const cli = (args: string[], env: Record<string, string> = {}): Promise<Out> =>
  promisify(execFile)(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, OPS_JOBS_DIR: root, ...env },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: Out) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const withUrl = (url: string, change: (u: URL) => void) => {
  const u = new URL(url);
  change(u);
  return u.toString();
};
const addRun = (host: string, startedAt: string) => db.sql`
  INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, finished_at, outcome, exit_code, host)
  VALUES ('tick-f', 'cron', ${startedAt}::text::timestamptz, now(), 'ok', 0, ${host})`;

describe('ops:status faults', () => {
  it('job_runs locked: answers within the lock timeout with what it could read, names the holder, exit 1; --json is a JSON document', async () => {
    const holder = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: 'the-locker' } });
    try {
      const h = await holder.reserve();
      await h`BEGIN`;
      await h`LOCK TABLE wxyc_schema.job_runs IN ACCESS EXCLUSIVE MODE`;
      const pid = (await h<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      const [text, json] = await Promise.all([cli([]), cli(['--json'])]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/INCOMPLETE: run history could not be read/);
      expect(text.stdout).toContain(`ACCESS EXCLUSIVE held by pid ${pid} 'the-locker'`);
      expect(text.stdout).toMatch(/migrations: \d+ applied/); // the rest was read
      expect(json.code).toBe(1);
      const doc = JSON.parse(json.stdout);
      expect(doc.unreadable).toMatchObject([
        { section: 'run history', relation: 'wxyc_schema.job_runs', holders: [{ pid, applicationName: 'the-locker' }] },
      ]);
      expect(doc.cron).toMatchObject([{ job: 'tick-f', verdict: 'unknown' }]);
      expect(doc.problems[0]).toMatch(
        new RegExp(
          `^could not read run history \\(wxyc_schema.job_runs\\): .*lock.*; ACCESS EXCLUSIVE held by pid ${pid} \\('the-locker'`,
        ),
      );
      await h`ROLLBACK`;
      h.release();
    } finally {
      await holder.end({ timeout: 1 });
    }
  });

  it('a database that does not exist exits 3, a role that does not exist exits 2, each with one line', async () => {
    const nodb = await cli([], { DATABASE_URL: withUrl(db.url, (u) => (u.pathname = '/no_such_database')) });
    expect(nodb.code).toBe(3);
    expect(nodb.stderr.trim().split('\n')).toHaveLength(1);
    expect(nodb.stderr).toMatch(/no_such_database.*does not exist.*Check the database name in DATABASE_URL/);
    const norole = await cli([], { DATABASE_URL: withUrl(db.url, (u) => (u.username = 'no_such_role')) });
    expect(norole.code).toBe(2);
    expect(norole.stderr.trim().split('\n')).toHaveLength(1);
    expect(norole.stderr).toMatch(/no_such_role.*Check the user and password in DATABASE_URL/);
  });

  it('junk rows (infinity, centuries away) do not fail the status: shown as junk, the real newest run still counts', async () => {
    await db.sql`DELETE FROM wxyc_schema.job_runs`;
    await addRun('good-host', new Date(Date.now() - 60_000).toISOString());
    await addRun('junk-host', 'infinity');
    await addRun('junk-host', '2300-01-01 00:00:00+00');
    await addRun('junk-host', '1900-01-01 00:00:00+00');
    const r = await cli([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tick-f\s+\*\/30 \* \* \* \*\s+OK\s+ok, started \S+ ago on good-host/);
    expect(r.stdout).toContain('started_at infinity');
    expect(r.stdout).toContain('started_at 2300-01-01');
    expect(r.stdout).toContain('started_at 1900-01-01');
    expect((await cli(['--check'])).code).toBe(1); // junk rows are problems to clean up
  });

  it('control characters and ANSI escapes in the data never reach the terminal', async () => {
    await db.sql`DELETE FROM wxyc_schema.job_runs`;
    await addRun('evil\u001b[2J\u001b]0;pwned\u0007\rfake line\u009b', new Date(Date.now() - 60_000).toISOString());
    const r = await cli([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07\\rfake line\\x9b');
  });

  it('--json when the server is unreachable: a JSON error document on stdout, exit 3', async () => {
    const r = await cli(['--json'], {
      DATABASE_URL: 'postgres://ops:s3cret@127.0.0.1:1/wxyc',
      DB_CONNECT_TIMEOUT_S: '2',
    });
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      exitCode: 3,
      error: expect.stringContaining('postgres://ops:***@127.0.0.1:1/wxyc is unreachable'),
    });
    expect(r.stdout + r.stderr).not.toContain('s3cret');
  });

  describe('a peer that accepts and never answers', () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });
    it('says where and how long, not "write CONNECT_TIMEOUT undefined:undefined"; exit 3', async () => {
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as net.AddressInfo).port;
      const r = await cli([], {
        DATABASE_URL: `postgres://ops:s3cret@127.0.0.1:${port}/wxyc`,
        DB_CONNECT_TIMEOUT_S: '2',
      });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`could not connect to 127.0.0.1:${port} within 2 s`);
      expect(r.stderr).not.toContain('undefined');
      expect(sockets.length).toBeGreaterThan(0);
    });
  });
});
