import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { DeploySandbox, outputs, run, SCRIPTS } from '../../support/deploy-sandbox.js';

// changed-jobs.mjs on a real git history: a fixture tree with two jobs and a shared package.
let box: DeploySandbox;
afterEach(() => box?.remove());

function repo() {
  box = new DeploySandbox();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: box.dir,
      encoding: 'utf8',
    }).trim();
  const json = (o: unknown) => JSON.stringify(o);
  box.writeFile('shared/database/package.json', json({ name: '@wxyc/database' }));
  box.writeFile(
    'jobs/etl/package.json',
    json({ name: '@wxyc/job-etl', devDependencies: { '@wxyc/database': 'workspace:*' } }),
  );
  box.writeFile(
    'jobs/backfills/fix/package.json',
    json({ name: '@wxyc/job-fix', dependencies: { postgres: '3.4.9' } }),
  );
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'one');
  const commit = (file: string) => {
    box.writeFile(file, String(Math.random()));
    git('add', '.');
    git('commit', '-qm', file);
    return git('rev-parse', 'HEAD');
  };
  return { first: git('rev-parse', 'HEAD'), commit };
}

const detect = (...args: string[]) =>
  run('node', [`${SCRIPTS}/changed-jobs.mjs`, ...args], { cwd: box.dir, env: { PATH: process.env.PATH } });

it('lists the jobs changed between the pushed range, a shared change reaching its dependents', async () => {
  const { first, commit } = repo();
  commit('shared/database/src/x.ts');
  const head = commit('README.md');
  const r = await detect(first, head);
  expect(r.code).toBe(0);
  expect(outputs(r.stdout)).toEqual({ jobs: '["etl"]', migrate: 'true' });
});

it('with a zero or unknown base (new branch, force push) it compares with the parent', async () => {
  const { commit } = repo();
  commit('jobs/etl/job.ts');
  const head = commit('jobs/backfills/fix/job.ts');
  for (const base of ['0000000000000000000000000000000000000000', 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', '']) {
    const r = await detect(base, head);
    expect(r.code).toBe(0);
    expect(outputs(r.stdout)).toEqual({ jobs: '["fix"]', migrate: 'true' });
    expect(r.stderr).toContain('comparing with');
  }
});

it('a docs-only push deploys nothing', async () => {
  const { first, commit } = repo();
  const head = commit('docs/x.md');
  expect(outputs((await detect(first, head)).stdout)).toEqual({ jobs: '[]', migrate: 'false' });
});
