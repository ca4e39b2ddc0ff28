#!/usr/bin/env node
// pnpm job <name> [args]: builds the job if its sources are newer than dist, then runs it
// against the local stack (or DATABASE_URL) with the env defaults of its image.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { DEFAULT_LEGACY_URL, ROOT, loadDevEnv } from './local-stack.mjs';
import { findJobDir, jobEnvDefaults, listJobs } from './job-env.mjs';

const [name, ...args] = process.argv.slice(2);
const dir = name ? findJobDir(ROOT, name) : null;
if (!dir) {
  console.error(`[job] ${name ? `no job named "${name}"` : 'usage: pnpm job <name> [args]'}; jobs: ${listJobs(ROOT).join(', ') || '(none)'}`);
  process.exit(2);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((e) => e !== 'node_modules' && e !== 'dist').map((e) => newestMtime(`${path}/${e}`)));
}

const entry = `${ROOT}${dir}/dist/job.js`;
const sources = Math.max(newestMtime(`${ROOT}${dir}`), ...readdirSync(`${ROOT}shared`).map((p) => newestMtime(`${ROOT}shared/${p}/src`)));
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  console.log(`[job] building ${name}...`);
  execFileSync('pnpm', ['--filter', `./${dir}...`, 'build'], { cwd: ROOT, stdio: 'inherit' });
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
