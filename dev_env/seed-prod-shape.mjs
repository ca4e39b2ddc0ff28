#!/usr/bin/env node
// pnpm seed:prod-shape [--rows N]: fills the local database (`pnpm dev`, or DATABASE_URL) with
// production-shaped data: the generator of the backfill benchmark (@wxyc/fixtures), not a copy.
// It needs empty shows/flowsheet tables; it refuses otherwise instead of mixing data.
import { STACK_ENV, ensureBuilt, readScriptArgs, resolveDatabase } from './local-stack.mjs';

const { values } = await readScriptArgs(
  {
    command: 'pnpm seed:prod-shape',
    summary:
      "Fills an empty database (the local stack, or DATABASE_URL) with production-shaped shows, users and flowsheet rows (the backfill benchmark's generator): " +
      'data the backfills have work to do on. Refuses tables that already hold rows.',
    options: { rows: { type: 'string', value: 'N', default: '500000', description: 'flowsheet rows' } },
    env: { DATABASE_URL: 'the database (unset: the local stack)', ...STACK_ENV },
    notes: 'exit codes: 0 seeded, 2 bad arguments, no database or tables not empty, 3 unreachable.',
  },
  'seed',
);
const raw = values.rows;
if (!/^\d+$/.test(raw) || Number(raw) < 1) {
  console.error(`[seed] --rows ${JSON.stringify(raw)}: expected a positive whole number`);
  process.exit(2);
}
const { url } = await resolveDatabase('seed');
ensureBuilt('job-runtime', 'database', 'fixtures');
const { maskUrl } = await import('@wxyc/database');
const { seedProdShape } = await import('@wxyc/fixtures');
const { default: postgres } = await import('postgres');
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  const [{ shows, rows }] = await sql`
    SELECT (SELECT count(*) FROM wxyc_schema.shows)::int AS shows, (SELECT count(*) FROM wxyc_schema.flowsheet)::int AS rows`;
  if (shows > 0 || rows > 0) {
    console.error(
      `[seed] ${maskUrl(url)} already has ${shows} shows and ${rows} flowsheet rows; seed:prod-shape needs empty tables ` +
        '(for the local stack: `pnpm dev:stop && rm -rf .dev-db && pnpm dev`).',
    );
    process.exitCode = 2;
  } else {
    const t0 = performance.now();
    const s = await seedProdShape(sql, { rows: Number(raw) });
    console.log(
      `[seed] ${s.rows} flowsheet rows, ${s.shows} shows, ${s.users} users in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
        `(${Math.round(s.trackShare * 100)}% tracks; some shows without a DJ and rows without a show cannot be resolved)`,
    );
  }
} catch (err) {
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'CONNECT_TIMEOUT'].includes(err.code);
  console.error(
    `[seed] error: ${maskUrl(url)}: ${err.message}` +
      (unreachable ? ' (is the local stack running? `pnpm dev` starts it)' : ''),
  );
  process.exitCode = unreachable ? 3 : 1;
} finally {
  await sql.end();
}
