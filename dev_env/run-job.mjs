#!/usr/bin/env node
// pnpm job <name> [args]: builds the job and the workspace packages it bundles when any is
// missing or older than its sources, then runs it against the local stack (or DATABASE_URL)
// with the env defaults of its image. Every failure before the job starts is one line, exit 2.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildablePackages, stalePackages, withWorkspaceDeps } from '../scripts/lib/build-state.mjs';
import { DEFAULT_LEGACY_URL, ROOT, loadDevEnv } from './local-stack.mjs';
import { findJobDir, jobEnvDefaults, listJobs } from './job-env.mjs';

const [name, ...args] = process.argv.slice(2);
const dir = name ? findJobDir(ROOT, name) : null;
if (!dir) {
  console.error(`[job] ${name ? `no job named "${name}"` : 'usage: pnpm job <name> [args]'}; jobs: ${listJobs(ROOT).join(', ') || '(none)'}`);
  process.exit(2);
}

const entry = `${ROOT}${dir}/dist/job.js`;
buildJobIfStale();

/** Builds the job and the workspace packages it bundles when any is missing or stale (the harness's rule). */
function buildJobIfStale() {
  if (!existsSync(`${ROOT}node_modules`)) fail('dependencies are not installed: run `pnpm install` first');
  const all = buildablePackages(ROOT);
  const job = all.find((p) => p.dir === `${ROOT}${dir}`);
  if (!job) fail(`${dir} has no tsup build (tsup.config.ts)`);
  const stale = stalePackages(withWorkspaceDeps(all, job.name), all);
  if (stale.length === 0) return;
  const command = ['--filter', `${job.name}...`, 'build'];
  console.log(`[job] building ${name} (${stale.map((p) => p.name).join(', ')} missing or older than their sources)...`);
  const r = spawnSync('pnpm', command, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`could not run pnpm (${r.error.message}): install pnpm >= 10 (README.md, Quick start)`);
  if (r.status !== 0) fail(`building ${name} failed (pnpm ${command.join(' ')} exited ${r.status ?? r.signal}): fix the error above, then run \`pnpm job ${name}\` again`);
  if (!existsSync(entry)) fail(`building ${name} did not produce ${dir}/dist/job.js: check ${dir}/tsup.config.ts`);
}

/** One line on stderr, exit 2 (the job never started). @param {string} message @returns {never} */
function fail(message) {
  console.error(`[job] ${message}`);
  process.exit(2);
}

const env = {
  ...jobEnvDefaults(ROOT, name),
  LEGACY_DATABASE_URL: DEFAULT_LEGACY_URL,
  ...loadDevEnv(),
  // an empty variable (DATABASE_URL= ) means unset, not "override with nothing"
  ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')),
};
if (!env.DATABASE_URL) {
  console.error('[job] no database: run `pnpm dev` first, or set DATABASE_URL.');
  process.exit(2);
}
const child = spawn(process.execPath, [entry, ...args], { cwd: `${ROOT}${dir}`, stdio: 'inherit', env });
// Forward Ctrl-C/TERM so the job shuts down cleanly instead of being orphaned.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
