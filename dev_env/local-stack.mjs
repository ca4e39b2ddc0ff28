// Shared bits of the local-stack commands (pnpm dev, dev:stop, dev:env, job, ...): where the local
// database lives, how its URL is found and checked, and building the packages they import.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../scripts/lib/build-state.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEV_DIR = process.env.DEV_DB_DIR || `${ROOT}.dev-db`;
// Below the ephemeral range (32768-60999 on Linux), where an outgoing connection's local port
// can hold it; override with DEV_PG_PORT.
export const DEFAULT_DEV_PORT = 25432;
export const DEV_PORT = Number(process.env.DEV_PG_PORT || DEFAULT_DEV_PORT);
export const DEV_DATABASE = 'wxyc';
export const DEFAULT_LEGACY_URL = 'mysql://root@127.0.0.1:3306/wxyc_legacy';
const ENV_FILE = `${DEV_DIR}/env.json`;

/** The env vars every local-stack command's --help lists. */
export const STACK_ENV = {
  DEV_PG_PORT: `port of the local PostgreSQL (default ${DEFAULT_DEV_PORT})`,
  DEV_DB_DIR: 'its data folder (default .dev-db/)',
};

/** Builds the shared packages the scripts import (`database`, ...) when missing or stale. */
export function ensureBuilt(...pkgs) {
  buildIfStale(
    ROOT,
    pkgs.map((p) => `@wxyc/${p}`),
    'dev',
  );
}

/** This script's arguments by @wxyc/job-runtime's parser: --help (exit 0), bad ones (one line, exit 2). */
export async function readScriptArgs(spec, prefix, argv = process.argv.slice(2)) {
  buildIfStale(ROOT, ['@wxyc/job-runtime'], prefix);
  const { readArgs } = await import('@wxyc/job-runtime');
  return readArgs(spec, argv, prefix);
}

export function saveDevEnv(env) {
  mkdirSync(DEV_DIR, { recursive: true });
  writeFileSync(ENV_FILE, JSON.stringify(env, null, 2));
}

/** The env `pnpm dev` recorded for the local stack, or {} when it has not run. */
export function loadDevEnv() {
  return existsSync(ENV_FILE) ? JSON.parse(readFileSync(ENV_FILE, 'utf8')) : {};
}

/**
 * Whether something accepts TCP connections at the URL's host and port (bounded: 3 s). Cheap, so
 * commands check the database before a build, not after it.
 * @param {string} url
 * @returns {Promise<boolean>}
 */
export function accepts(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), timeout: 3000 });
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * The database a local command uses: DATABASE_URL, else the local stack's (which must be
 * running). Exits with one line when there is none (2) or the local stack is stopped (3).
 * @param {string} prefix
 * @returns {Promise<{ url: string, local: boolean }>}
 */
export async function resolveDatabase(prefix) {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, local: false };
  const url = loadDevEnv().DATABASE_URL;
  if (!url) {
    console.error(`[${prefix}] no database: run \`pnpm dev\` first (the local stack), or set DATABASE_URL.`);
    process.exit(2);
  }
  if (!(await accepts(url))) {
    console.error(`[${prefix}] the local stack is stopped (\`pnpm dev\` starts it); or set DATABASE_URL.`);
    process.exit(3);
  }
  return { url, local: true };
}
