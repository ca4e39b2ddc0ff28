// Every built job against a broken PostgreSQL peer and credential-carrying URLs: the jobs'
// dist/job.js as deployed, not their functions. A peer that accepts TCP and closes must end
// each within its connect timeout (exit 3, one line); no password may reach the output,
// whether it sits in the userinfo, the query string, or a URL with no scheme.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { acceptAndClose } from '../support/fake-peers.js';
import { REPO, waitFor } from '../support/migrate-runner.js';

const JOBS = {
  'flowsheet-etl': 'jobs/flowsheet-etl/dist/job.js',
  'library-etl': 'jobs/library-etl/dist/job.js',
  'rotation-etl': 'jobs/rotation-etl/dist/job.js',
  'flowsheet-dj-name-backfill': 'jobs/backfills/flowsheet-dj-name-backfill/dist/job.js',
} as const;
type Job = keyof typeof JOBS;
const jobs = Object.keys(JOBS) as Job[];

const SECRETS = /Pw-peer-7|Secret[0-9]/;
const LEGACY = 'mysql://root@127.0.0.1:3306/wxyc_legacy?password=Secret5';

function runJob(job: Job, env: Record<string, string>) {
  let out = '';
  const child = spawn(process.execPath, [join(REPO, JOBS[job])], {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

const errorLines = (out: string) => out.split('\n').filter((l) => /\berror:/.test(l));

describe('a PostgreSQL peer that accepts TCP and closes', () => {
  it.each(jobs)(
    '%s gives up within DB_CONNECT_TIMEOUT_S: exit 3, one line, no hot loop',
    async (job) => {
      const peer = await acceptAndClose();
      const started = Date.now();
      const run = runJob(job, {
        DATABASE_URL: `${peer.url()}?password=Secret1`,
        LEGACY_DATABASE_URL: LEGACY,
        DB_CONNECT_TIMEOUT_S: '2',
      });
      const code = await run.exited;
      const tookMs = Date.now() - started;
      expect(code, run.output()).toBe(EXIT.UNREACHABLE);
      expect(errorLines(run.output()), run.output()).toHaveLength(1);
      expect(errorLines(run.output())[0]).toMatch(
        /accepted \d+ connection\(s\) in 2\.\ds and closed each before the PostgreSQL handshake/,
      );
      expect(run.output()).not.toMatch(SECRETS);
      expect(run.output()).not.toMatch(/\n\s+at /);
      expect(tookMs).toBeLessThan(6000);
      expect(peer.connects()).toBeLessThan(60);
      console.log(`[faults] ${job}: exit ${code} after ${tookMs} ms, ${peer.connects()} connects`);
    },
    20_000,
  );

  it.each(jobs)(
    '%s ends within 2 s of SIGTERM while it retries',
    async (job) => {
      const peer = await acceptAndClose();
      const run = runJob(job, { DATABASE_URL: peer.url(), LEGACY_DATABASE_URL: LEGACY, DB_CONNECT_TIMEOUT_S: '60' });
      await waitFor(() => peer.connects() > 3, 10_000, 'a few connects');
      const sent = Date.now();
      run.child.kill('SIGTERM');
      const code = await run.exited;
      expect(Date.now() - sent, run.output()).toBeLessThan(2000);
      expect(code, run.output()).toBe(EXIT.INTERRUPTED);
      expect(run.output()).not.toMatch(SECRETS);
    },
    20_000,
  );
});

describe('credentials in URLs never reach the output', () => {
  it.each(jobs)('%s: a scheme-less DATABASE_URL is a config error with the password masked', async (job) => {
    const run = runJob(job, { DATABASE_URL: 'u:Secret2@host/db', LEGACY_DATABASE_URL: LEGACY });
    expect(await run.exited, run.output()).toBe(EXIT.CONFIG);
    expect(run.output()).toContain('DATABASE_URL=u:***@host/db is not a postgres:// or postgresql:// URL.');
    expect(run.output()).not.toMatch(SECRETS);
  });

  it.each(jobs)('%s: a DATABASE_URL with no database is refused, its query-string password masked', async (job) => {
    const run = runJob(job, { DATABASE_URL: 'postgres://u@127.0.0.1:1?password=Secret3', LEGACY_DATABASE_URL: LEGACY });
    expect(await run.exited, run.output()).toBe(EXIT.CONFIG);
    expect(run.output()).toContain('DATABASE_URL=postgres://u@127.0.0.1:1?password=*** names no a database name');
    expect(run.output()).not.toMatch(SECRETS);
  });

  it.each(jobs)('%s: an unreachable server is reported without the query-string password', async (job) => {
    const run = runJob(job, {
      DATABASE_URL: 'postgres://u:Secret4@127.0.0.1:1/db?sslpassword=Secret6&password=Secret7',
      LEGACY_DATABASE_URL: LEGACY,
    });
    expect(await run.exited, run.output()).toBe(EXIT.UNREACHABLE);
    expect(run.output()).not.toMatch(SECRETS);
    expect(errorLines(run.output())).toHaveLength(1);
  });

  it.each(['flowsheet-etl', 'library-etl', 'rotation-etl'] as const)(
    '%s: a scheme-less LEGACY_DATABASE_URL is a config error with the password masked',
    async (job) => {
      const run = runJob(job, {
        DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
        LEGACY_DATABASE_URL: 'root:Secret8@legacy/wxyc',
      });
      expect(await run.exited, run.output()).toBe(EXIT.CONFIG);
      expect(run.output()).toContain('LEGACY_DATABASE_URL=root:***@legacy/wxyc is not a mysql:// URL.');
      expect(run.output()).not.toMatch(SECRETS);
    },
  );

  it("the backfill's first line names the database with the query-string password masked", async () => {
    const run = runJob('flowsheet-dj-name-backfill', { DATABASE_URL: 'postgres://u@127.0.0.1:1/db?password=Secret9' });
    await run.exited;
    expect(run.output().split('\n')[0]).toBe('[backfill] database postgres://u@127.0.0.1:1/db?password=***');
    expect(run.output()).not.toMatch(SECRETS);
  });
});
