#!/usr/bin/env node
// `pnpm new:job <name> --kind backfill|cron [--schedule "<cron>"]`: writes a job folder that passes CI
// as generated (job, task definition, package.json, tsconfig, tsup config, README, Dockerfile, a
// test), then `pnpm install` links it and records it in pnpm-lock.yaml. Templates: scripts/lib/job-templates.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './lib/build-state.mjs';
import { DEFAULT_SCHEDULE, jobDir, jobFiles, NAME_RE, scheduleProblem } from './lib/job-templates.mjs';

const SPEC = /** @type {const} */ ({
  command: 'pnpm new:job',
  summary:
    'Writes a new job: jobs/<name>/ (cron) or jobs/backfills/<name>/ (backfill), Dockerfile.<name>, tests/integration/<name>/.',
  positionals: {
    usage: '<name>',
    min: 1,
    max: 1,
    description: 'the job name, kebab-case (e.g. rotation-label-fix); also its image and run-history name',
  },
  options: {
    kind: { type: 'string', value: 'backfill|cron', description: 'backfill: a one-shot job; cron: a scheduled job' },
    schedule: {
      type: 'string',
      value: '"<cron>"',
      description: `cron only: five cron fields (default "${DEFAULT_SCHEDULE}")`,
    },
    'no-install': {
      type: 'boolean',
      description: 'skip `pnpm install` (run it yourself: it links the job and updates pnpm-lock.yaml)',
    },
  },
  notes:
    'Exit codes: 0 written, 2 bad arguments (nothing written), 1 pnpm install failed (the files stay; run pnpm install).\nThen: edit src/definition.ts (as generated its pending set is empty), the README and the test. docs/conventions.md.',
});

/** One line on stderr, exit 2, nothing written. @param {string} msg @returns {never} */
function refuse(msg) {
  process.stderr.write(`[new-job] error: ${msg}\n`);
  process.exit(2);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// the one argument parser (@wxyc/job-runtime), built first when missing or stale, as dev_env's scripts do
buildIfStale(ROOT, ['@wxyc/job-runtime'], 'new-job');
const { readArgs } = await import('@wxyc/job-runtime');
const args = readArgs(SPEC, process.argv.slice(2), 'new-job');
const name = /** @type {string} */ (args.positionals[0]);
const kind = args.values.kind;
if (kind !== 'backfill' && kind !== 'cron')
  refuse(`--kind must be backfill or cron (got ${kind === undefined ? 'nothing' : JSON.stringify(kind)})`);
if (!NAME_RE.test(name))
  refuse(
    `"${name}" is not a kebab-case name (lower-case letters and digits, words joined by single hyphens, e.g. rotation-label-fix)`,
  );
if (kind === 'backfill' && args.values.schedule !== undefined)
  refuse('--schedule is for --kind cron; a backfill runs once');
const schedule = String(args.values.schedule ?? DEFAULT_SCHEDULE);
const bad = kind === 'cron' ? scheduleProblem(schedule) : null;
if (bad) refuse(bad);
for (const taken of [`jobs/${name}`, `jobs/backfills/${name}`, `Dockerfile.${name}`, `tests/integration/${name}`]) {
  if (existsSync(join(ROOT, taken))) refuse(`${taken} already exists: pick another name`);
}

const pnpm = /^pnpm@([^+]+)/.exec(
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager ?? '',
)?.[1];
const nodeMajor = existsSync(join(ROOT, '.nvmrc'))
  ? /^v?(\d+)/.exec(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim())?.[1]
  : undefined;
if (!pnpm || !nodeMajor)
  refuse(
    'package.json has no packageManager pnpm@<version> or .nvmrc no Node major: run this in the wxyc-jobs checkout',
  );

const files = jobFiles({ name, kind, schedule: schedule.trim(), pnpm, nodeMajor });
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), text, { flag: 'wx' });
  console.log(`[new-job] wrote ${path}`);
}
if (!args.values['no-install']) {
  const r = spawnSync('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(
      '[new-job] error: pnpm install failed; the files are written: run pnpm install, then commit pnpm-lock.yaml with them\n',
    );
    process.exit(1);
  }
}
console.log(
  `[new-job] ${jobDir(name, kind)}: edit src/definition.ts (its pending set is empty as generated), then pnpm vitest run tests/integration/${name}`,
);
