// Pure helpers of `pnpm job`: where a job lives and which env defaults its image sets.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/**
 * jobs/<name> or jobs/backfills/<name>, or null.
 * @param {string} root repo root, ending in /
 * @param {string} name
 * @returns {string | null}
 */
export function findJobDir(root, name) {
  if (!/^[a-z0-9-]+$/.test(name)) return null;
  for (const dir of [`jobs/${name}`, `jobs/backfills/${name}`]) {
    if (existsSync(`${root}${dir}/package.json`)) return dir;
  }
  return null;
}

/** @param {string} root @returns {string[]} */
export function listJobs(root) {
  /** @param {string} base */
  const list = (base) =>
    existsSync(`${root}${base}`)
      ? readdirSync(`${root}${base}`).filter((d) => d !== 'backfills' && existsSync(`${root}${base}/${d}/package.json`))
      : [];
  return [...list('jobs'), ...list('jobs/backfills')].sort();
}

/**
 * The ENV defaults of the job's image (its Dockerfile's last stage), so a local run behaves
 * like the deployed one. Handles `ENV A=1 B="two words"` and the old `ENV A 1` form.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function dockerfileEnv(text) {
  const stages = text.split(/^FROM\s/im);
  const last = stages[stages.length - 1] ?? '';
  /** @type {Record<string, string>} */
  const env = {};
  const joined = last.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split(/\r?\n/)) {
    const m = line.match(/^\s*ENV\s+(.*)$/i);
    if (!m) continue;
    const body = (m[1] ?? '').trim();
    if (!body.includes('=')) {
      const [k = '', ...v] = body.split(/\s+/);
      env[k] = v.join(' ');
      continue;
    }
    for (const pair of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
      const raw = pair[2] ?? '';
      env[pair[1] ?? ''] = /^["']/.test(raw) ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    }
  }
  return env;
}

/** @param {string} root @param {string} name */
export function jobEnvDefaults(root, name) {
  const file = `${root}Dockerfile.${name}`;
  return existsSync(file) ? dockerfileEnv(readFileSync(file, 'utf8')) : {};
}
