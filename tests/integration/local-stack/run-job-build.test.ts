// `pnpm job <name>` on a tree where the job or a workspace package it bundles has no build (a
// fresh clone after `pnpm dev`), proven on a small temp tree with a stand-in `pnpm` that records
// what it was asked to build: the job is built WITH its workspace deps, a fresh build is not
// redone, and every failure before the job starts is one line with exit 2.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/deploy-sandbox.js';

let root: string;
const calls = () => readFileSync(join(root, 'pnpm-calls'), 'utf8').trim().split('\n').filter(Boolean);

function pkg(dir: string, name: string, deps: string[], entry: string) {
  mkdirSync(join(root, dir, 'src'), { recursive: true });
  writeFileSync(
    join(root, dir, 'package.json'),
    JSON.stringify({ name, devDependencies: Object.fromEntries(deps.map((d) => [d, 'workspace:*'])) }),
  );
  writeFileSync(join(root, dir, 'tsup.config.ts'), '');
  writeFileSync(join(root, dir, entry), '// source\n');
}

/** A `pnpm` that logs its args and "builds" every package (writes its dist), or fails with FAKE_PNPM_EXIT. */
function fakePnpm() {
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'pnpm'),
    `#!/usr/bin/env bash
echo "$*" >> "${root}/pnpm-calls"
[ -n "\${FAKE_PNPM_EXIT:-}" ] && { echo "tsup: boom" >&2; exit "$FAKE_PNPM_EXIT"; }
mkdir -p "${root}/shared/base/dist" "${root}/shared/lib/dist" "${root}/jobs/probe/dist"
echo 'export {}' > "${root}/shared/base/dist/index.js"
echo 'export {}' > "${root}/shared/lib/dist/index.js"
echo 'console.log("probe ran", process.argv.slice(2).join(" "))' > "${root}/jobs/probe/dist/job.js"
`,
  );
  chmodSync(join(bin, 'pnpm'), 0o755);
  return bin;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wxyc-run-job-'));
  cpSync(join(REPO_ROOT, 'dev_env'), join(root, 'dev_env'), { recursive: true, filter: (p) => !p.includes('.dev-db') });
  cpSync(join(REPO_ROOT, 'scripts/lib'), join(root, 'scripts/lib'), { recursive: true });
  linkParser();
  writeFileSync(join(root, 'pnpm-calls'), '');
  pkg('shared/base', '@wxyc/base', [], 'src/index.ts');
  pkg('shared/lib', '@wxyc/lib', ['@wxyc/base'], 'src/index.ts');
  pkg('shared/unrelated', '@wxyc/unrelated', [], 'src/index.ts');
  pkg('jobs/probe', '@wxyc/job-probe', ['@wxyc/lib'], 'job.ts');
  // Sources older than any build the stand-in writes.
  const old = new Date(Date.now() - 120_000);
  for (const f of [
    'shared/base/src/index.ts',
    'shared/lib/src/index.ts',
    'shared/unrelated/src/index.ts',
    'jobs/probe/job.ts',
  ])
    utimesSync(join(root, f), old, old);
  for (const d of ['shared/base', 'shared/lib', 'shared/unrelated', 'jobs/probe'])
    for (const f of ['package.json', 'tsup.config.ts']) utimesSync(join(root, d, f), old, old);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** node_modules with the repo's built argument parser (@wxyc/job-runtime), which run-job.mjs imports. */
function linkParser() {
  mkdirSync(join(root, 'node_modules/@wxyc'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'shared/job-runtime'), join(root, 'node_modules/@wxyc/job-runtime'));
}

function runJob(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, 'dev_env/run-job.mjs'), 'probe', '--flag'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      PATH: `${fakePnpmBin}:${process.env.PATH}`,
      DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
      DEV_DB_DIR: join(root, '.dev-db'),
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
let fakePnpmBin = '';

it('builds the job together with the workspace packages it bundles, then runs it; a fresh build is not redone', () => {
  fakePnpmBin = fakePnpm();
  const first = runJob();
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(calls()).toEqual(['--silent build @wxyc/job-probe @wxyc/lib @wxyc/base']);
  expect(first.stdout).toContain(
    '[job] building @wxyc/job-probe, @wxyc/lib, @wxyc/base (missing or older than their sources)...',
  );
  expect(first.stdout).toContain('probe ran --flag');

  const again = runJob();
  expect(again.code).toBe(0);
  expect(calls()).toHaveLength(1); // nothing stale: no second build

  // A source of a transitive dependency newer than the job's dist: built again.
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  utimesSync(join(root, 'jobs/probe/dist/job.js'), ago(45), ago(45));
  utimesSync(join(root, 'shared/base/src/index.ts'), ago(30), ago(30));
  expect(runJob().code).toBe(0);
  expect(calls()).toHaveLength(2);

  // A package the job does not depend on (never built, newer sources) does not trigger a build.
  utimesSync(join(root, 'shared/unrelated/src/index.ts'), ago(1), ago(1));
  expect(runJob().code).toBe(0);
  expect(calls()).toHaveLength(2);
});

it('a failed build is one line naming the command and what to do, exit 2, and the job does not start', () => {
  fakePnpmBin = fakePnpm();
  const r = runJob({ FAKE_PNPM_EXIT: '1' });
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toBe('tsup: boom'); // the build's own output, then ours
  expect(lines.slice(1)).toEqual([
    '[job] building failed (pnpm build @wxyc/job-probe @wxyc/lib @wxyc/base exited 1): fix the error above and run the command again',
  ]);
  expect(r.stdout).not.toContain('probe ran');
});

it('without node_modules, or without pnpm on PATH: one line each, exit 2', () => {
  fakePnpmBin = join(root, 'no-bin');
  rmSync(join(root, 'node_modules'), { recursive: true });
  const noDeps = runJob();
  expect(noDeps.code).toBe(2);
  expect(noDeps.stderr.trim()).toBe('[job] dependencies are not installed: run `pnpm install` first');

  linkParser();
  const noPnpm = runJob({ PATH: '/nonexistent' });
  expect(noPnpm.code).toBe(2);
  expect(noPnpm.stderr.trim()).toMatch(
    /^\[job\] could not run pnpm \(.*ENOENT.*\): install pnpm >= 10 \(README\.md, Quick start\)$/,
  );
});
