// pnpm demo:incident is the end-to-end test of the whole answer to the outage: it runs the real
// runner and the real backfill (built dist) against a fresh database on the harness server.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
afterAll(() => admin.end());

function startDemo(rows: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['dev_env/demo-incident.mjs', '--rows', String(rows)], {
    cwd: ROOT,
    env: { ...process.env, DEMO_ADMIN_URL: inject('pgAdminUrl'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const demoDatabases = async () =>
  (await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'wxyc_demo_%'`).map(
    (r) => r.datname,
  );
const demoBackends = async () =>
  (await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE 'wxyc_demo_%'`)[0]!
    .n;

describe('pnpm demo:incident', () => {
  it('replays the incident and every step behaves as expected', async () => {
    const demo = startDemo(5000);
    const code = await demo.exited;
    expect(code, demo.output()).toBe(0);
    const out = demo.output();
    expect(out).toMatch(
      /ok {3}2\. deploy: the runner applies 0053, the expand 0054, .* exit 11; 0053 \d+ ms, 0054 \d+ ms, 0059 \d+ ms; guard refused 0061; longest write wait \d+/,
    );
    expect(out).toMatch(/ok {3}3\. .* exit 14; migrations recorded (\d+) -> \1/);
    expect(out).toMatch(/\| \[backfill\] batch 1: \d+ rows, total processed \d+, remaining \d+, ETA ~/);
    expect(out).toMatch(
      /ok {3}5\. the search_doc backfill .* exit 0; \d+ batches; 0 rows left without search_doc_new; longest write wait/,
    );
    expect(out).toMatch(
      /ok {3}6\. deploy again: the switch .* exit 0; 0061 applied in \d+ ms; [1-9]\d* rows found by DJ name 'writer'; longest write wait \d+ ms \(\d+ writes\)/,
    );
    expect(out).toContain('[demo] every step behaved as expected.');
    expect(await demoDatabases()).toEqual([]);
  }, 180_000);

  it('Ctrl-C in the middle of the backfill leaves no process, backend or database behind', async () => {
    // A pause between batches keeps the backfill running long enough to interrupt it.
    const demo = startDemo(20_000, { BACKFILL_PAUSE_MS: '1000', BACKFILL_BATCH_SIZE: '100' });
    const deadline = Date.now() + 120_000;
    while (!/\[backfill\] batch 1:/.test(demo.output()) && Date.now() < deadline && demo.child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(demo.output()).toMatch(/\[backfill\] batch 1:/);
    demo.child.kill('SIGINT');
    const code = await demo.exited;
    expect(code, demo.output()).toBe(130);
    expect(demo.output()).toContain('[demo] SIGINT: stopping the current step and cleaning up...');
    expect(await demoBackends(), demo.output()).toBe(0);
    expect(await demoDatabases(), demo.output()).toEqual([]);
  }, 180_000);
});
