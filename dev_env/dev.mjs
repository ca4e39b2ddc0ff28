#!/usr/bin/env node
// pnpm dev: a local database ready for any job, with no Docker and no system service.
// DATABASE_URL set -> use that database. Otherwise start (or reuse) an embedded PostgreSQL kept
// in .dev-db/ (git-ignored, survives restarts), then apply migrations with the guarded runner,
// with --seed, so it also writes the (idempotent) development seed; the production entrypoint never seeds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { DEV_DATABASE, DEV_DIR, DEV_PORT, ROOT, ensureBuilt, saveDevEnv } from './local-stack.mjs';

ensureBuilt('job-runtime', 'local-postgres', 'database');
const { maskUrl } = await import('@wxyc/database');

let url = process.env.DATABASE_URL;
if (!url) {
  const { startDetachedPostgres } = await import('@wxyc/local-postgres');
  const { default: postgres } = await import('postgres');
  const server = await startDetachedPostgres(DEV_DIR, DEV_PORT);
  console.log(`[dev] local PostgreSQL ${server.started ? 'started' : 'already running'} on port ${server.port} (data: ${server.dataDir})`);
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] = await admin`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${DEV_DATABASE}) AS exists`;
    if (!exists) await admin.unsafe(`CREATE DATABASE ${DEV_DATABASE}`);
  } finally {
    await admin.end();
  }
  const u = new URL(server.url);
  u.pathname = `/${DEV_DATABASE}`;
  url = u.toString();
  saveDevEnv({ DATABASE_URL: url });
}

const migrate = spawnSync(process.execPath, [`${ROOT}dev_env/init-db.mjs`, '--seed'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: url },
});
if (migrate.status !== 0) {
  console.error(`[dev] migrations failed (exit ${migrate.status ?? migrate.signal}); the database is at its last committed migration.`);
  process.exit(migrate.status || 1);
}
// The legacy MySQL source of the ETLs: loaded once (`pnpm legacy:load` reloads it). Without a
// MySQL server the PostgreSQL side still works; only the ETL jobs need it.
const legacyMarker = `${DEV_DIR}/legacy-loaded`;
if (!existsSync(legacyMarker)) {
  const legacy = spawnSync(process.execPath, [`${ROOT}dev_env/legacy/load.mjs`], { cwd: ROOT, stdio: 'inherit' });
  if (legacy.status === 0) {
    mkdirSync(DEV_DIR, { recursive: true });
    writeFileSync(legacyMarker, new Date().toISOString());
  } else {
    console.warn('[dev] warning: the legacy MySQL tables were not loaded (is MariaDB/MySQL running?); the ETL jobs need them: `pnpm legacy:load`.');
  }
}

console.log(`\n[dev] ready: DATABASE_URL=${maskUrl(url)}`);
console.log('[dev] run a job with `pnpm job <name>`; stop the local server with `pnpm dev:stop`.');
