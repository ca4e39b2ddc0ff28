#!/usr/bin/env node
// pnpm job <name> [args]: checks the database, builds the job and the workspace packages it
// bundles when any is missing or older than its sources, then runs it against the local stack (or
// DATABASE_URL) with the env defaults of its image. Every failure before the job starts is one
// line: 2 (usage, no database, build), 3 (the local stack is stopped).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildIfStale } from '../scripts/lib/build-state.mjs';
import { DEFAULT_LEGACY_URL, ROOT, STACK_ENV, loadDevEnv, readScriptArgs, resolveDatabase } from './local-stack.mjs';
import { findJobDir, jobEnvDefaults, listJobs } from './job-env.mjs';

const argv = process.argv.slice(2);
// Only the first argument is ours (or --help); the rest are the job's (`pnpm job flowsheet-etl --help`).
const COMMAND = {
  command: 'pnpm job',
  summary:
    'Runs a job (cron ETL or backfill) against the local stack (`pnpm dev`) or DATABASE_URL, with the env defaults of its image ' +
    '(ENV of Dockerfile.<name>); builds it first when missing or older than its sources. Ctrl-C is passed to the job.',
  positionals: {
    usage: '<name> [job args...]',
    min: 1,
    max: 1,
    description: `one of: ${listJobs(ROOT).join(', ')}; \`pnpm job <name> --help\` for its own arguments`,
  },
  env: {
    DATABASE_URL: 'the database (unset: the local stack)',
    LEGACY_DATABASE_URL: `the legacy MySQL of the ETLs (default ${DEFAULT_LEGACY_URL})`,
    ...STACK_ENV,
    '(any other)': "passed to the job; your env wins over the image's defaults",
  },
  notes:
    "exit codes: the job's own; before it starts, 2 (usage, no database, build failed) or 3 (the local stack is stopped).",
};
const [name = ''] = (await readScriptArgs(COMMAND, 'job', argv.slice(0, 1))).positionals;
const args = argv.slice(1);
const dir = findJobDir(ROOT, name);
if (!dir) {
  console.error(`[job] no job named "${name}"; jobs: ${listJobs(ROOT).join(', ') || '(none)'}`);
  process.exit(2);
}

// The database first: a missing or stopped one is known in milliseconds, a build takes a while.
// A job's own --help needs none.
const help = args.some((a) => a === '--help' || a === '-h');
const db = help ? null : await resolveDatabase('job');
const { name: pkg } = JSON.parse(readFileSync(`${ROOT}${dir}/package.json`, 'utf8'));
buildIfStale(ROOT, [pkg], 'job');

const env = {
  ...jobEnvDefaults(ROOT, name),
  LEGACY_DATABASE_URL: DEFAULT_LEGACY_URL,
  ...loadDevEnv(),
  ...(db ? { DATABASE_URL: db.url } : {}),
  // an empty variable (DATABASE_URL= ) means unset, not "override with nothing"
  ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')),
};
const child = spawn(process.execPath, [`${ROOT}${dir}/dist/job.js`, ...args], {
  cwd: `${ROOT}${dir}`,
  stdio: 'inherit',
  env,
});
// Forward Ctrl-C/TERM so the job shuts down cleanly instead of being orphaned.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
