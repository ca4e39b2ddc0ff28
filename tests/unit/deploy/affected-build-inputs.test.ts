// Files that change what an image contains must deploy the jobs they affect (issue #27 item 10:
// a push changing only tsup.base.ts deployed nothing). Read against the real workspace.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { affectedTargets } from '../../../.github/scripts/lib/affected.mjs';
import { workspacePackages } from '../../../.github/scripts/lib/workspace.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const packages = workspacePackages(root);
const allJobs = packages.flatMap((p) => (p.job === null ? [] : [p.job])).sort();
const jobsBundling = (pkgName: string) => {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const reaches = (name: string, seen = new Set<string>()): boolean =>
    name === pkgName ||
    (!seen.has(name) && (seen.add(name), (byName.get(name)?.workspaceDeps ?? []).some((d) => reaches(d, seen))));
  return packages
    .filter((p) => p.job !== null && reaches(p.name))
    .map((p) => p.job!)
    .sort();
};

describe('a file that changes what an image contains deploys the jobs it affects', () => {
  const everyJob: Array<[string, string]> = [
    ['tsup.base.ts', 'the bundle shape of every job (tsup.config.ts imports it)'],
    ['tsconfig.base.json', 'extended by every tsconfig the build reads'],
    ['package.json', 'root devDependencies (tsup, typescript)'],
    ['pnpm-lock.yaml', 'every resolved version'],
    ['pnpm-workspace.yaml', 'the packages and allowed build scripts'],
    ['.dockerignore', 'the build context'],
    ['.npmrc', 'install settings'],
    ['.pnpmfile.cjs', 'install hooks'],
    ['patches/postgres@3.4.9.patch', 'a patched dependency'],
    ['some-new-root-file.config.js', 'unknown root file: fail safe'],
    ['types/global.d.ts', 'unknown top-level folder: fail safe'],
  ];
  it.each(everyJob)('%s (%s) deploys every job', (file) => {
    expect(affectedTargets([file], packages)).toEqual({ jobs: allJobs, migrate: true });
  });

  it.each(allJobs)('Dockerfile.%s deploys that job', (job) => {
    expect(affectedTargets([`Dockerfile.${job}`], packages).jobs).toEqual([job]);
  });

  it.each(packages.filter((p) => p.dir.startsWith('shared/')).map((p) => [p.dir, p.name]))(
    '%s deploys every job bundling %s, and migrate',
    (dir, name) => {
      expect(affectedTargets([`${dir}/src/index.ts`], packages)).toEqual({ jobs: jobsBundling(name), migrate: true });
    },
  );

  it.each([
    ['README.md'],
    ['tsconfig.json'],
    ['vitest.config.ts'],
    ['docs/deploy.md'],
    ['tests/unit/x.test.ts'],
    ['bench/x.ts'],
    ['scripts/deploy-k8s.mjs'],
    ['.github/workflows/test.yml'],
    ['.ci/run'],
  ])('%s is in no job image and deploys no job', (file) => {
    expect(affectedTargets([file], packages).jobs).toEqual([]);
  });
});

/** The files outside a package that its build reads: tsconfig `extends` chain, tsup.config imports. */
function buildInputsOf(dir: string): string[] {
  const found: string[] = [];
  let tsconfig: string | null = join(root, dir, 'tsconfig.json');
  while (tsconfig && existsSync(tsconfig)) {
    const text: string = readFileSync(tsconfig, 'utf8');
    const ext: string | undefined = /"extends"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    tsconfig = ext ? resolve(dirname(tsconfig), ext) : null;
    if (tsconfig) found.push(relative(root, tsconfig));
  }
  const tsup = join(root, dir, 'tsup.config.ts');
  if (existsSync(tsup)) {
    for (const m of readFileSync(tsup, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
      found.push(relative(root, resolve(join(root, dir), m[1]!.replace(/\.js$/, '.ts'))));
    }
  }
  return found.filter((f) => !f.startsWith(`${dir}/`));
}

describe('derived from the repository', () => {
  it.each(packages.filter((p) => p.job !== null).map((p) => [p.job!, p.dir]))(
    'every file outside %s that its build reads deploys it',
    (job, dir) => {
      const inputs = buildInputsOf(dir);
      expect(inputs.length).toBeGreaterThan(0);
      for (const file of inputs) expect(affectedTargets([file], packages).jobs, file).toContain(job);
    },
  );

  it('every root file tracked by git is classified: it deploys every job, or it is in no image', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.includes('/'));
    for (const file of tracked.filter((f) => !f.startsWith('Dockerfile.'))) {
      const jobs = affectedTargets([file], packages).jobs;
      expect([[], allJobs], file).toContainEqual(jobs);
    }
  });

  it('every @wxyc/* package a package imports is declared, so the dependency walk sees what the bundle holds', () => {
    const sources = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.name === 'node_modules' || e.name === 'dist'
          ? []
          : e.isDirectory()
            ? sources(join(d, e.name))
            : /\.(ts|mjs)$/.test(e.name)
              ? [join(d, e.name)]
              : [],
      );
    for (const p of packages) {
      for (const file of sources(join(root, p.dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(@wxyc\/[a-z0-9-]+)/g)) {
          if (m[1] !== p.name) expect(p.workspaceDeps, `${relative(root, file)} imports ${m[1]}`).toContain(m[1]);
        }
      }
    }
  });
});
