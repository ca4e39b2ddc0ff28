import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { affectedTargets } from '../../../.github/scripts/lib/affected.mjs';
import { PACKAGE_PARENTS, type WorkspacePackage } from '../../../.github/scripts/lib/workspace.mjs';

function pkg(dir: string, name: string, workspaceDeps: string[] = []): WorkspacePackage {
  const job = dir.startsWith('jobs/') ? dir.split('/').pop()! : null;
  return { dir, name, job, workspaceDeps, pkg: {} };
}

// runtime <- database <- etl, backfill; legacy <- etl; lonely depends on nothing.
const packages = [
  pkg('shared/job-runtime', '@wxyc/job-runtime'),
  pkg('shared/database', '@wxyc/database', ['@wxyc/job-runtime']),
  pkg('shared/legacy', '@wxyc/legacy'),
  pkg('jobs/flowsheet-etl', '@wxyc/job-flowsheet-etl', ['@wxyc/database', '@wxyc/legacy']),
  pkg('jobs/backfills/dj-backfill', '@wxyc/job-dj-backfill', ['@wxyc/database']),
  pkg('jobs/lonely', '@wxyc/job-lonely'),
];
const targets = (...files: string[]) => affectedTargets(files, packages);

describe('affectedTargets', () => {
  it('a job change deploys that job, after migrations', () => {
    expect(targets('jobs/flowsheet-etl/job.ts')).toEqual({ jobs: ['flowsheet-etl'], migrate: true });
    expect(targets('jobs/backfills/dj-backfill/README.md')).toEqual({ jobs: ['dj-backfill'], migrate: true });
  });

  it('a shared package change deploys every job depending on it, transitively', () => {
    expect(targets('shared/legacy/src/index.ts').jobs).toEqual(['flowsheet-etl']);
    expect(targets('shared/database/src/client.ts').jobs).toEqual(['dj-backfill', 'flowsheet-etl']);
    expect(targets('shared/job-runtime/src/env.ts').jobs).toEqual(['dj-backfill', 'flowsheet-etl']);
  });

  it('a new migration runs migrate (and redeploys the jobs bundling @wxyc/database)', () => {
    expect(targets('shared/database/src/migrations/0056_x.sql')).toEqual({
      jobs: ['dj-backfill', 'flowsheet-etl'],
      migrate: true,
    });
    expect(targets('dev_env/init-db.mjs')).toEqual({ jobs: [], migrate: true });
    expect(targets('Dockerfile.migrate')).toEqual({ jobs: [], migrate: true });
  });

  it('a Dockerfile change deploys its job', () => {
    expect(targets('Dockerfile.lonely').jobs).toEqual(['lonely']);
  });

  it('the lockfile or root config redeploys everything', () => {
    expect(targets('pnpm-lock.yaml')).toEqual({ jobs: ['dj-backfill', 'flowsheet-etl', 'lonely'], migrate: true });
  });

  it('docs, tests and workflow changes deploy nothing', () => {
    expect(targets('README.md', 'docs/deploy.md', 'tests/unit/x.test.ts', '.github/workflows/test.yml')).toEqual({
      jobs: [],
      migrate: false,
    });
  });

  it('a folder whose name starts like a job is not that job', () => {
    expect(targets('jobs/flowsheet-etl-v2/job.ts').jobs).toEqual([]);
  });
});

it('the package folders match pnpm-workspace.yaml', () => {
  const yaml = readFileSync(new URL('../../../pnpm-workspace.yaml', import.meta.url), 'utf8');
  const globs = [...yaml.split(/^\w.*:/m)[1]!.matchAll(/^\s+-\s+(\S+)\/\*\s*$/gm)].map((m) => m[1]);
  expect(globs).toEqual(PACKAGE_PARENTS);
});
