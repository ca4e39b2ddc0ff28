#!/usr/bin/env node
// pnpm dev: a local database ready for any job, with no Docker and no system service.
// DATABASE_URL set -> use that database. Otherwise start (or reuse) an embedded PostgreSQL kept
// in .dev-db/ (git-ignored, survives restarts), then apply migrations with the guarded runner,
// with --seed, so it also writes the (idempotent) development seed; the production entrypoint never seeds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import {
  DEFAULT_LEGACY_URL,
  DEV_DATABASE,
  DEV_DIR,
  DEV_PORT,
  ROOT,
  STACK_ENV,
  accepts,
  ensureBuilt,
  readScriptArgs,
  saveDevEnv,
} from './local-stack.mjs';

await readScriptArgs(
  {
    command: 'pnpm dev',
    summary:
      'Starts (or reuses) the local PostgreSQL in .dev-db/ (embedded, no Docker), applies the migrations with the guarded runner and the dev seed, ' +
      'and loads the legacy MySQL tables once. Prints the DATABASE_URL to copy; `pnpm dev:env` prints it as exports.',
    env: {
      DATABASE_URL: 'migrate and seed this database instead of starting the local one',
      ...STACK_ENV,
      LEGACY_DATABASE_URL: `where the legacy tables go (default ${DEFAULT_LEGACY_URL})`,
    },
    notes:
      "exit codes: 0 ready, 2 bad arguments or the port is taken, 3 the database is unreachable, else the migration runner's (docs/migrations.md).",
  },
  'dev',
);

const portTaken = () => {
  console.error(
    `[dev] port ${DEV_PORT} is taken (another server, or a connection using it); choose a free one: DEV_PG_PORT=<port> pnpm dev`,
  );
  process.exit(2);
};

let url = process.env.DATABASE_URL;
const local = !url;
if (url && !(await accepts(url))) {
  console.error(
    '[dev] the database of DATABASE_URL is unreachable (nothing accepts connections at its host and port); nothing was migrated. Fix DATABASE_URL, or unset it for the local stack.',
  );
  process.exit(3);
}
ensureBuilt('job-runtime', 'local-postgres', 'database');
if (local) {
  const { startDetachedPostgres } = await import('@wxyc/local-postgres');
  const { default: postgres } = await import('postgres');
  const server = await startDetachedPostgres(DEV_DIR, DEV_PORT).catch((err) => {
    if (err?.code === 'EADDRINUSE') portTaken();
    throw err;
  });
  console.log(
    `[dev] local PostgreSQL ${server.started ? 'started' : 'already running'} on port ${server.port} (data: ${server.dataDir})`,
  );
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] =
      await admin`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${DEV_DATABASE}) AS exists`;
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
if (migrate.status === 3) {
  console.error('[dev] the database is unreachable (the line above says why); nothing was migrated.');
  process.exit(3);
}
if (migrate.status !== 0) {
  console.error(
    `[dev] migrations failed (exit ${migrate.status ?? migrate.signal}); the database is at its last committed migration.`,
  );
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
    console.warn(
      '[dev] warning: the legacy MySQL tables were not loaded (is MariaDB/MySQL running?); the ETL jobs need them: `pnpm legacy:load`.',
    );
  }
}

const { maskUrl } = await import('@wxyc/database');
// The local stack's password is a fixed throwaway (postgres): print the URL whole, to copy.
console.log(`\n[dev] ready: DATABASE_URL=${local ? url : maskUrl(url)}`);
console.log(
  '[dev] `eval "$(pnpm -s dev:env)"` exports it in this shell; run a job with `pnpm job <name>`; stop the local server with `pnpm dev:stop`.',
);
