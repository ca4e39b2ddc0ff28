// `pnpm new:job` (scripts/new-job.mjs) in a copy of this checkout: the tracked (and new, unignored)
// files copied to a temp dir with the built dists, installed offline from the warm store. It
// generates a cron and a backfill job, then runs what CI runs on them: typecheck, biome, the
// job's build and its --help, the generated tests on real PostgreSQL (this run's server), the
// Dockerfile checks and the deploy unit tests. Plus --help and every refusal (exit 2, one line,
// nothing written). About two minutes on the shared machine, most of it tsc and tsup.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readJobSpecs } from '@wxyc/ops';
import { REPO_ROOT } from '../../support/deploy-sandbox.js';
import { dockerfileProblems } from '../../support/dockerfile-checks.js';

const CRON = 'tick-probe';
const ONCE = 'once-probe';
const NEW_PATHS = [`jobs/${CRON}`, `jobs/backfills/${ONCE}`, `tests/integration/${CRON}`, `tests/integration/${ONCE}`];
let root = '';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command in the copy, its exit code and output (never throws on a non-zero exit). */
function sh(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<Ran> {
  return new Promise((resolve) => {
    const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    execFile(
      cmd,
      args,
      { cwd: root, env: { ...process.env, PATH, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
const newJob = (...args: string[]) => sh(process.execPath, ['scripts/new-job.mjs', ...args]);
const ok = (r: Ran) => expect(r.code, `${r.stdout}\n${r.stderr}`.slice(-4000)).toBe(0);

/** What a scaffold could write into: the job parents, tests/integration and the root. */
const listing = () =>
  ['.', 'jobs', 'jobs/backfills', 'tests/integration']
    .map((d) => `${d}: ${readdirSync(join(root, d)).sort().join(' ')}`)
    .join('\n');

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('git', args, { cwd, maxBuffer: 64 << 20 }, (err, out) => (err ? reject(err) : resolve(String(out)))),
  );
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wxyc-new-job-'));
  const files = (await git(['ls-files', '-co', '--exclude-standard', '-z'], REPO_ROOT)).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(REPO_ROOT, f))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(join(REPO_ROOT, f), join(root, f));
  }
  // the dists this run's harness built, copied after the sources so they count as fresh (no rebuild)
  for (const parent of ['shared', 'jobs', 'jobs/backfills']) {
    for (const d of readdirSync(join(REPO_ROOT, parent))) {
      const dist = join(REPO_ROOT, parent, d, 'dist');
      if (existsSync(dist) && existsSync(join(root, parent, d)))
        cpSync(dist, join(root, parent, d, 'dist'), { recursive: true });
    }
  }
  ok(await sh('pnpm', ['install', '--offline', '--frozen-lockfile']));
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

it('--help says how to call it, exit 0', async () => {
  const r = await newJob('--help');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('usage: pnpm new:job [--kind backfill|cron] [--schedule "<cron>"] [--no-install] <name>');
  expect(r.stdout).toContain('<name>  the job name, kebab-case');
});

describe('refusals: one line, exit 2, nothing written', () => {
  it.each([
    [['Bad_Name', '--kind', 'cron'], '"Bad_Name" is not a kebab-case name'],
    [['a--b', '--kind', 'backfill'], '"a--b" is not a kebab-case name'],
    [['-x', '--kind', 'cron'], 'unknown argument "-x"'],
    [['flowsheet-etl', '--kind', 'cron'], 'jobs/flowsheet-etl already exists: pick another name'],
    [['flowsheet-dj-name-backfill', '--kind', 'cron'], 'jobs/backfills/flowsheet-dj-name-backfill already exists'],
    [['migrate', '--kind', 'backfill'], 'Dockerfile.migrate already exists'],
    [['x-job', '--kind', 'cron', '--bogus'], 'unknown argument "--bogus"'],
    [['x-job', '--kind', 'daily'], '--kind must be backfill or cron (got "daily")'],
    [['x-job'], '--kind must be backfill or cron (got nothing)'],
    [['x-job', 'y-job', '--kind', 'cron'], 'unknown argument "y-job"'],
    [['--kind', 'cron'], 'missing <name>'],
    [['x-job', '--kind', 'cron', '--schedule', '1 2 3'], '--schedule "1 2 3" has 3 fields'],
    [['x-job', '--kind', 'cron', '--schedule', '0 3 * * * *'], 'has 6 fields'],
    [['x-job', '--kind', 'cron', '--schedule', '0 3 * * ;rm'], 'each field is digits'],
    [['x-job', '--kind', 'backfill', '--schedule', '0 3 * * *'], '--schedule is for --kind cron'],
  ])('%j', async (args, message) => {
    const before = listing();
    const r = await newJob(...args);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[new-job\] error: /);
    expect(lines[0]).toContain(message);
    expect(listing()).toBe(before);
  });
});

describe('a generated cron job and backfill pass what CI runs', () => {
  beforeAll(async () => {
    ok(await newJob(CRON, '--kind', 'cron', '--schedule', '17 */6 * * *'));
    ok(await newJob(ONCE, '--kind', 'backfill'));
    // the deploy tests read `git ls-files`: the copy becomes a repository with everything added
    await git(['init', '-q'], root);
    await git(['add', '-A'], root);
  }, 120_000);

  it('writes the folders, the Dockerfiles and the tests; pnpm install recorded both in the lockfile', () => {
    for (const dir of [`jobs/${CRON}`, `jobs/backfills/${ONCE}`]) {
      for (const f of ['job.ts', 'src/definition.ts', 'package.json', 'tsconfig.json', 'tsup.config.ts', 'README.md']) {
        expect(existsSync(join(root, dir, f)), `${dir}/${f}`).toBe(true);
      }
      expect(readFileSync(join(root, dir, 'job.ts'), 'utf8')).toContain('await runTaskJob<BackfillSettings>({');
    }
    for (const f of [
      `Dockerfile.${CRON}`,
      `Dockerfile.${ONCE}`,
      `tests/integration/${CRON}/${CRON}.test.ts`,
      `tests/integration/${ONCE}/${ONCE}.test.ts`,
    ]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).toContain(`\n  jobs/${CRON}:\n`);
    expect(lock).toContain(`\n  jobs/backfills/${ONCE}:\n`);
  });

  it('ops reads them as a cron with its schedule and a one-shot', () => {
    const specs = readJobSpecs(root).filter((s) => [CRON, ONCE].includes(s.name));
    expect(specs.map((s) => [s.name, s.type, s.schedule])).toEqual([
      [ONCE, 'one-shot', null],
      [CRON, 'cron', '17 */6 * * *'],
    ]);
  });

  it('the Dockerfile checks pass for the whole tree', () => {
    expect(dockerfileProblems(root)).toEqual([]);
  });

  it('generating the same name again is refused, nothing rewritten', async () => {
    const before = readFileSync(join(root, `jobs/${CRON}/src/definition.ts`), 'utf8');
    const r = await newJob(CRON, '--kind', 'backfill');
    expect([r.code, r.stderr.trim()]).toEqual([2, `[new-job] error: jobs/${CRON} already exists: pick another name`]);
    expect(readFileSync(join(root, `jobs/${CRON}/src/definition.ts`), 'utf8')).toBe(before);
  });

  it('typecheck (the root tsconfig, on the new files) and biome pass', async () => {
    const include = ['tests/support/global-setup.ts', ...NEW_PATHS];
    writeFileSync(join(root, 'tsconfig.new-job.json'), JSON.stringify({ extends: './tsconfig.json', include }));
    ok(await sh(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.new-job.json', '--noEmit']));
    ok(await sh(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'check', ...NEW_PATHS]));
  }, 240_000);

  it('builds with tsup; the bundle answers --help (exit 0) and refuses an unknown flag (exit 2)', async () => {
    ok(await sh('pnpm', ['--filter', `@wxyc/job-${CRON}`, '--filter', `@wxyc/job-${ONCE}`, 'build']));
    for (const dir of [`jobs/${CRON}`, `jobs/backfills/${ONCE}`]) {
      const help = await sh(process.execPath, [`${dir}/dist/job.js`, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('usage: node dist/job.js [--reset] [--retry-parked]');
      const bad = await sh(process.execPath, [`${dir}/dist/job.js`, '--nope']);
      expect([bad.code, bad.stderr.split('\n').filter(Boolean).length]).toEqual([2, 1]);
    }
  }, 240_000);

  it("its generated tests and the deploy unit tests pass (on this run's PostgreSQL)", async () => {
    const files = [
      `tests/integration/${CRON}`,
      `tests/integration/${ONCE}`,
      'tests/unit/deploy/dockerfiles.test.ts',
      'tests/unit/deploy/affected-build-inputs.test.ts',
    ];
    const r = await sh('pnpm', ['vitest', 'run', ...files], {
      TEST_DATABASE_URL: inject('pgAdminUrl'),
      CI: '1',
      NO_COLOR: '1',
    });
    ok(r);
    expect(r.stdout).toMatch(new RegExp(`tests/integration/${CRON}/${CRON}\\.test\\.ts.*2 tests`));
    expect(r.stdout).toMatch(new RegExp(`tests/integration/${ONCE}/${ONCE}\\.test\\.ts.*2 tests`));
  }, 300_000);
});
