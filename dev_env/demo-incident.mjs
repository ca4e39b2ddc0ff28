#!/usr/bin/env node
// pnpm demo:incident [--rows N]: the 13-hour outage, replayed against the fixes, step by step.
// A fresh database at migration 0052 with N production-shaped flowsheet rows (default 500k):
//   1. the runner applies 0053 and the expand 0054 in milliseconds, then the unrelated 0055+,
//      the index 0059 (CONCURRENTLY) and the dj_name fill trigger 0060, and stops at the switch 0061's guard;
//   2. a session holding ACCESS EXCLUSIVE on flowsheet makes the runner refuse at pre-flight;
//   3. the dj_name backfill fills dj_name in bounded batches, printing its progress;
//   4. the search_doc backfill fills search_doc_new the same way;
//   5. the runner applies the switch 0061 (catalog only, under a 500 ms lock_timeout).
// A writer (a live DJ) inserts and updates flowsheet rows all along; each step prints the longest
// any of its writes waited: the longest write-blocking lock as the station feels it.
// Exits 0 only when every step behaved as expected (CI runs it at a small N).
// DEMO_ADMIN_URL: use this server (a fresh database is created and dropped) instead of
// starting a throwaway one. Ctrl-C stops the running step and cleans up.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildIfStale } from '../scripts/lib/build-state.mjs';
import { randomBytes } from 'node:crypto';
import { ROOT, ensureBuilt, readScriptArgs } from './local-stack.mjs';

const BACKFILL_DIR = 'jobs/backfills/flowsheet-dj-name-backfill';
const SEARCH_DOC_DIR = 'jobs/backfills/flowsheet-search-doc-backfill';
const EXIT = { OK: 0, MIGRATION_FAILED: 11, PREFLIGHT_REFUSED: 14 };

const { values } = await readScriptArgs(
  {
    command: 'pnpm demo:incident',
    summary:
      'The 13-hour outage replayed against the fixes on a throwaway server: a database at 0052 with N production-shaped rows, ' +
      "the runner applying 0053-0059 and refusing 0061 and a locked table, both backfills, then the switch 0061; a concurrent writer's longest wait per step.",
    options: { rows: { type: 'string', value: 'N', default: '500000', description: 'flowsheet rows (at least 100)' } },
    env: {
      DEMO_ADMIN_URL: 'use this server (a fresh database is created and dropped) instead of starting a throwaway one',
    },
    notes: 'exit codes: 0 every step behaved as expected, 1 one did not, 2 bad arguments, 130 interrupted.',
  },
  'demo',
);
const raw = values.rows;
if (!/^\d+$/.test(raw) || Number(raw) < 100) {
  console.error(`[demo] --rows ${JSON.stringify(raw)}: expected a whole number >= 100`);
  process.exit(2);
}
const rows = Number(raw);
ensureBuilt('job-runtime', 'local-postgres', 'database', 'fixtures');
buildIfStale(
  ROOT,
  [BACKFILL_DIR, SEARCH_DOC_DIR].map((dir) => JSON.parse(readFileSync(`${ROOT}${dir}/package.json`, 'utf8')).name),
  'demo',
);
const { maskUrl, migrateWithDrizzle } = await import('@wxyc/database');
const { seedProdShape, startFlowsheetWriter } = await import('@wxyc/fixtures');
const { startLocalPostgres } = await import('@wxyc/local-postgres');
const { default: postgres } = await import('postgres');

// ---------------------------------------------------------------- cleanup, also on Ctrl-C
let server = null;
let adminUrl = process.env.DEMO_ADMIN_URL;
let dbName = null;
let sql = null;
let lockSession = null;
let child = null;
let writer = null;
let writerSql = null;

async function cleanup() {
  await writer?.stop().catch(() => {});
  await writerSql?.end({ timeout: 5 }).catch(() => {});
  await lockSession?.unsafe('ROLLBACK').catch(() => {});
  lockSession?.release();
  await sql?.end({ timeout: 5 }).catch(() => {});
  if (dbName && adminUrl) {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin
      .unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      .catch((err) => console.error(`[demo] could not drop ${dbName}: ${err.message}`));
    await admin.end();
  }
  await server?.stop();
}

// Ctrl-C: stop the running child (it rolls back its own work), then the main flow sees
// `interrupted`, stops before the next step and cleans up once, in its finally.
let interrupted = false;
class Interrupted extends Error {}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n[demo] ${sig}: stopping the current step and cleaning up...`);
    child?.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------- steps
const results = [];
async function step(title, expected, fn) {
  if (interrupted) throw new Interrupted();
  console.log(`\n== ${results.length + 1}. ${title}\n   expected: ${expected}`);
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await fn();
  } catch (err) {
    outcome = { ok: false, got: `error: ${err.message}` };
  }
  if (interrupted) throw new Interrupted();
  const ms = performance.now() - t0;
  const w = writer?.take();
  const wait = w
    ? `longest write wait ${fmtMs(w.maxMs)} (${w.writes} writes${w.errors.length ? `, ${w.errors.length} FAILED: ${w.errors[0]}` : ''})`
    : '';
  if (w?.errors.length) outcome = { ...outcome, ok: false };
  results.push({ title, expected, ...outcome, ms, wait });
  console.log(
    `   ${outcome.ok ? 'as expected' : 'NOT AS EXPECTED'}: ${outcome.got} (${fmtMs(ms)})${wait ? `; ${wait}` : ''}`,
  );
  return outcome;
}

function fmtMs(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Runs a node script, echoing its output indented; resolves with its exit code and output. */
function run(script, env, args = []) {
  return new Promise((resolve) => {
    let output = '';
    child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const echo = (chunk) => {
      output += chunk;
      for (const line of chunk.toString().split('\n')) if (line) console.log(`   | ${line}`);
    };
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    child.on('exit', (code, signal) => {
      child = null;
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

const migrate = (url) => run(`${ROOT}dev_env/init-db.mjs`, { DATABASE_URL: url });

try {
  if (!adminUrl) {
    console.log('[demo] starting a throwaway PostgreSQL (embedded, no Docker)...');
    server = await startLocalPostgres();
    adminUrl = server.url;
  }
  dbName = `wxyc_demo_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  console.log(`[demo] database ${maskUrl(url)}`);
  sql = postgres(url, { max: 2, onnotice: () => {} });

  await step(
    `production as it was: migrations 0000-0052 (by drizzle), ${rows.toLocaleString('en-US')} flowsheet rows`,
    'seeded',
    async () => {
      await migrateWithDrizzle(url, { upTo: '0052' });
      const shape = await seedProdShape(sql, { rows });
      writerSql = postgres(url, { max: 1, onnotice: () => {} });
      writer = startFlowsheetWriter(writerSql, { intervalMs: 20, maxId: shape.rows });
      return { ok: true, got: `${shape.rows} rows, ${shape.shows} shows, ${shape.users} users; a writer starts` };
    },
  );

  await step(
    'deploy: the runner applies 0053, the expand 0054, 0055+, the index 0059 and the dj_name fill 0060, then meets the switch 0061',
    '0053 and 0054 in milliseconds; 0061 refused by its guard (exit 11)',
    async () => {
      const r = await migrate(url);
      const ms = (n) => r.output.match(new RegExp(`applied ${n}_\\S+ in (\\d+) ms`))?.[1];
      const guard = r.output.includes(
        'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0061',
      );
      const applied = ['0053', '0054', '0055', '0059', '0060'].every((n) => ms(n) !== undefined);
      return {
        ok: r.code === EXIT.MIGRATION_FAILED && applied && guard,
        got:
          `exit ${r.code}; 0053 ${ms('0053') ?? '?'} ms, 0054 ${ms('0054') ?? '?'} ms, 0059 ${ms('0059') ?? '?'} ms` +
          `${applied ? '' : ' (NOT all applied)'}; guard ${guard ? 'refused 0061' : 'did not fire'}`,
      };
    },
  );

  await step(
    'a stuck session holds ACCESS EXCLUSIVE on flowsheet; deploy again',
    'runner refuses at pre-flight, applies nothing (exit 14)',
    async () => {
      lockSession = await sql.reserve();
      await lockSession`BEGIN`;
      await lockSession`LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE`;
      const [before] = await sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
      const r = await migrate(url);
      await lockSession`ROLLBACK`;
      lockSession.release();
      lockSession = null;
      const [after] = await sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
      return {
        ok: r.code === EXIT.PREFLIGHT_REFUSED && before.n === after.n,
        got: `exit ${r.code}; migrations recorded ${before.n} -> ${after.n}`,
      };
    },
  );

  await step(
    'the dj_name backfill (unresolvable rows get the opt-in fallback name)',
    "every track row has dj_name; 0061's dj_name check passes (exit 0)",
    async () => {
      const r = await run(`${ROOT}${BACKFILL_DIR}/dist/job.js`, {
        DATABASE_URL: url,
        BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ',
      });
      const batches = (r.output.match(/\[backfill\] batch \d+:/g) ?? []).length;
      const [left] =
        await sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE entry_type = 'track' AND dj_name IS NULL`;
      return {
        ok: r.code === 0 && left.n === 0 && batches > 0,
        got: `exit ${r.code}; ${batches} batches; ${left.n} track rows left without dj_name`,
      };
    },
  );

  await step(
    'the search_doc backfill',
    "every row has search_doc_new; 0061's search_doc check passes (exit 0)",
    async () => {
      const r = await run(`${ROOT}${SEARCH_DOC_DIR}/dist/job.js`, { DATABASE_URL: url });
      const batches = (r.output.match(/\[backfill\] batch \d+:/g) ?? []).length;
      const [left] = await sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE search_doc_new IS NULL`;
      return {
        ok: r.code === 0 && left.n === 0 && batches > 0,
        got: `exit ${r.code}; ${batches} batches; ${left.n} rows left without search_doc_new`,
      };
    },
  );

  await step(
    'deploy again: the switch',
    '0061 applies in one short transaction (exit 0); search finds DJ names',
    async () => {
      const r = await migrate(url);
      const ms = r.output.match(/applied 0061_\S+ in (\d+) ms/)?.[1];
      const [hit] =
        await sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE search_doc @@ to_tsquery('simple', 'writer:B')`;
      return {
        ok: r.code === EXIT.OK && ms !== undefined && hit.n > 0,
        got: `exit ${r.code}; 0061 ${ms ? `applied in ${ms} ms` : 'NOT applied'}; ${hit.n} rows found by DJ name 'writer'`,
      };
    },
  );
} catch (err) {
  if (!(err instanceof Interrupted)) throw err;
} finally {
  await cleanup();
}

if (interrupted) {
  process.exitCode = 130;
} else {
  console.log(
    '\n== what happened (per step, "longest write wait": the longest write-blocking lock as a concurrent writer felt it)',
  );
  const w = Math.max(...results.map((r) => r.title.length));
  for (const [i, r] of results.entries()) {
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${i + 1}. ${r.title.padEnd(w)}  ${fmtMs(r.ms).padStart(8)}  ${r.got}${r.wait ? `; ${r.wait}` : ''}`,
    );
  }
  const ok = results.length === 6 && results.every((r) => r.ok);
  console.log(ok ? '\n[demo] every step behaved as expected.' : '\n[demo] some step did not behave as expected.');
  process.exitCode = ok ? 0 : 1;
}
