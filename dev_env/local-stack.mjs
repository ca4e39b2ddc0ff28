// Shared bits of the local-stack commands (pnpm dev, dev:stop, job): where the local
// database lives and how its URL is found. Imports built packages, building them if needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEV_DIR = process.env.DEV_DB_DIR || `${ROOT}.dev-db`;
export const DEV_PORT = Number(process.env.DEV_PG_PORT || 54320);
export const DEV_DATABASE = 'wxyc';
export const DEFAULT_LEGACY_URL = 'mysql://root@127.0.0.1:3306/wxyc_legacy';
const ENV_FILE = `${DEV_DIR}/env.json`;

/** Builds the shared packages the scripts import when their dist is missing. */
export function ensureBuilt(...pkgs) {
  const missing = pkgs.filter((p) => !existsSync(`${ROOT}shared/${p}/dist/index.js`));
  if (missing.length === 0) return;
  console.log(`[dev] building ${missing.join(', ')} (first run)...`);
  const args = missing.flatMap((p) => ['--filter', `@wxyc/${p}...`]).concat('build');
  const r = spawnSync('pnpm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const why = r.error ? `could not run pnpm (${r.error.message}): install pnpm >= 10 (README.md)` : r.status !== 0 ? `pnpm ${args.join(' ')} exited ${r.status ?? r.signal}: fix the error above and run it again` : null;
  if (why) {
    console.error(`[dev] building ${missing.join(', ')} failed: ${why}`);
    process.exit(2);
  }
}

export function saveDevEnv(env) {
  mkdirSync(DEV_DIR, { recursive: true });
  writeFileSync(ENV_FILE, JSON.stringify(env, null, 2));
}

/** The env `pnpm dev` recorded for the local stack, or {} when it has not run. */
export function loadDevEnv() {
  return existsSync(ENV_FILE) ? JSON.parse(readFileSync(ENV_FILE, 'utf8')) : {};
}
