// The newcomer's first commands as child processes: --help on every command (exit 0, nothing
// started), unknown flags refused in one line (exit 2), and the local stack's failure lines: no
// stack yet, a stopped stack, a taken port, an unreachable DATABASE_URL. Each must come before any
// build or server start, in one line, without a stack trace.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const stackDir = mkdtempSync(join(tmpdir(), 'wxyc-newcomer-'));
const { DATABASE_URL: _ignored, ...inherited } = process.env;
const baseEnv = { ...inherited, DEV_DB_DIR: stackDir, DEV_PG_PORT: String(await freePort()) };

afterAll(() => rmSync(stackDir, { recursive: true, force: true }));

/** Runs `node <script> ...args` from the repo root; resolves with its exit code and output. */
function run(script: string, args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...baseEnv, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

const noTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('--help and unknown flags', () => {
  const commands: [string, string[], string][] = [
    ['dev_env/dev.mjs', [], 'usage: pnpm dev'],
    ['dev_env/dev-stop.mjs', [], 'usage: pnpm dev:stop'],
    ['dev_env/dev-env.mjs', [], 'usage: pnpm dev:env'],
    ['dev_env/run-job.mjs', [], 'usage: pnpm job <name> [job args...]'],
    ['dev_env/seed-prod-shape.mjs', [], 'usage: pnpm seed:prod-shape [--rows N]'],
    ['dev_env/demo-incident.mjs', [], 'usage: pnpm demo:incident [--rows N]'],
    ['dev_env/legacy/load.mjs', [], 'usage: pnpm legacy:load'],
    ['dev_env/ops-status.mjs', [], 'usage: pnpm ops:status [--json] [--check]'],
    ['dev_env/init-db.mjs', [], 'usage: node dev_env/init-db.mjs [--status] [--dry-run] [--seed]'],
    ['dev_env/init-db.mjs', ['--trace'], 'usage: node dev_env/init-db.mjs --trace [--rows N]'],
    ['scripts/deploy-k8s.mjs', [], 'usage: pnpm deploy:k8s [--out DIR]'],
    ['scripts/image-build.mjs', [], 'usage: node scripts/image-build.mjs [--context DIR] [--out DIR] [--run]'],
    ['.github/scripts/changed-jobs.mjs', [], 'usage: node .github/scripts/changed-jobs.mjs [BASE] [HEAD]'],
    ['scripts/lockfile-patches.mjs', [], 'usage: node scripts/lockfile-patches.mjs [--check] [--root DIR]'],
    [
      'jobs/flowsheet-etl/dist/job.js',
      [],
      'usage: node dist/job.js [--verify] [--repair] [--confirm-deleted TABLE:FROM-TO] [DUMP_FILE]',
    ],
    ['jobs/library-etl/dist/job.js', [], 'usage: node dist/job.js [--verify] [--repair]'],
    ['jobs/rotation-etl/dist/job.js', [], 'usage: node dist/job.js [--verify] [--repair]'],
    [
      'jobs/backfills/flowsheet-dj-name-backfill/dist/job.js',
      [],
      'usage: node dist/job.js [--reset] [--retry-parked] [--refresh]',
    ],
    [
      'jobs/backfills/flowsheet-search-doc-backfill/dist/job.js',
      [],
      'usage: node dist/job.js [--reset] [--retry-parked]',
    ],
    ['jobs/rotation-release-id-resolver/dist/job.js', [], 'usage: node dist/job.js [--reset] [--retry-parked]'],
  ];

  it.each(commands)(
    '%s %s --help: usage on stdout, exit 0; an unknown flag: one line, exit 2',
    async (script, pre, usage) => {
      const help = await run(script, [...pre, '--help']);
      expect(help.code, help.err).toBe(0);
      expect(help.out.startsWith(usage), help.out).toBe(true);
      expect(help.out).toContain('-h, --help');
      const bad = await run(script, [...pre, '--no-such-flag']);
      expect(bad.code, bad.out + bad.err).toBe(2);
      const lines = bad.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[[\w:-]+\] error: unknown argument "--no-such-flag"; usage: /);
    },
  );

  it("pnpm demo:incident --help starts nothing; pnpm job <name> --help is the job's own help, with no database", async () => {
    const demo = await run('dev_env/demo-incident.mjs', ['--rows', '5', '--help']);
    expect(demo.code).toBe(0);
    expect(demo.out).not.toContain('[demo] starting');
    const job = await run('dev_env/run-job.mjs', ['flowsheet-dj-name-backfill', '--help']);
    expect(job.code, job.err).toBe(0);
    expect(job.out).toMatch(/^usage: node dist\/job\.js \[--reset\] \[--retry-parked\] \[--refresh\]\n/);
    expect(job.out).toContain('BACKFILL_UNRESOLVED_FALLBACK');
  });
});

describe('the local stack, before and after', () => {
  it('before `pnpm dev`: a job, seed:prod-shape and ops:status say so in one line, exit 2, and build nothing', async () => {
    for (const [script, args, prefix] of [
      ['dev_env/run-job.mjs', ['flowsheet-etl'], 'job'],
      ['dev_env/seed-prod-shape.mjs', [], 'seed'],
      ['dev_env/ops-status.mjs', [], 'ops-status'],
    ] as const) {
      const r = await run(script, [...args]);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err.trim()).toBe(
        `[${prefix}] no database: run \`pnpm dev\` first (the local stack), or set DATABASE_URL.`,
      );
      expect(r.out).not.toContain('building');
    }
    const env = await run('dev_env/dev-env.mjs', []);
    expect([env.code, env.err.trim()]).toEqual([2, '[dev] no local stack yet: run `pnpm dev` first.']);
  });

  it('after `pnpm dev:stop`: "the local stack is stopped", exit 3, not "Check DATABASE_URL"; dev:env prints exports', async () => {
    const port = await freePort(); // nothing listens: the stack's server is stopped
    const dir = mkdtempSync(join(tmpdir(), 'wxyc-stopped-'));
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/wxyc`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'env.json'), JSON.stringify({ DATABASE_URL: url }));
    try {
      for (const [script, args, prefix] of [
        ['dev_env/run-job.mjs', ['flowsheet-dj-name-backfill'], 'job'],
        ['dev_env/ops-status.mjs', ['--check'], 'ops-status'],
        ['dev_env/seed-prod-shape.mjs', ['--rows', '10'], 'seed'],
      ] as const) {
        const r = await run(script, [...args], { DEV_DB_DIR: dir });
        expect(r.code, r.out + r.err).toBe(3);
        expect(r.err.trim()).toBe(
          `[${prefix}] the local stack is stopped (\`pnpm dev\` starts it); or set DATABASE_URL.`,
        );
      }
      const env = await run('dev_env/dev-env.mjs', [], { DEV_DB_DIR: dir, LEGACY_DATABASE_URL: undefined });
      expect(env.code).toBe(0);
      expect(env.out).toBe(
        `export DATABASE_URL='${url}' LEGACY_DATABASE_URL='mysql://root@127.0.0.1:3306/wxyc_legacy'\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pnpm dev on a taken port: one line naming the port and DEV_PG_PORT, exit 2, no stack trace, no server', async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    );
    const dir = mkdtempSync(join(tmpdir(), 'wxyc-taken-'));
    try {
      const r = await run('dev_env/dev.mjs', [], { DEV_DB_DIR: dir, DEV_PG_PORT: String(port) });
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err.trim()).toBe(
        `[dev] port ${port} is taken (another server, or a connection using it); choose a free one: DEV_PG_PORT=<port> pnpm dev`,
      );
      noTrace(r.err);
      expect(r.out).not.toContain('started');
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pnpm dev with an unreachable DATABASE_URL: says unreachable, exit 3, never "its last committed migration"', async () => {
    const r = await run('dev_env/dev.mjs', [], { DATABASE_URL: `postgres://u:secret@127.0.0.1:${await freePort()}/x` });
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toContain('unreachable');
    expect(r.err).not.toContain('last committed migration');
    expect(r.err).not.toContain('secret');
    noTrace(r.err);
  });
});
