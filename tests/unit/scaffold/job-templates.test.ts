// The pure half of `pnpm new:job`: names, schedules, where a job goes and what it writes.
// tests/integration/scaffold/new-job.test.ts proves the written files pass CI.
import { describe, expect, it } from 'vitest';
import { jobDir, jobFiles, NAME_RE, scheduleProblem } from '../../../scripts/lib/job-templates.mjs';

describe('job names', () => {
  it.each(['a', 'rotation-label-fix', 'etl2', 'x-1-y'])('%s is kebab-case', (n) => expect(NAME_RE.test(n)).toBe(true));
  it.each(['', 'A', 'Bad_Name', 'a--b', '-a', 'a-', '1abc', 'a b', 'a/b', 'a.b', '../x'])('%j is not', (n) =>
    expect(NAME_RE.test(n)).toBe(false),
  );
});

describe('scheduleProblem', () => {
  it.each(['17 */6 * * *', '0 3 * * *', '0,30 8-18 * * MON-FRI'])('%s is five fields', (s) =>
    expect(scheduleProblem(s)).toBeNull(),
  );
  it.each([
    ['1 2 3', 'has 3 fields'],
    ['', 'has 1 fields'],
    ['* * * * * *', 'has 6 fields'],
    ['0 3 * * ;rm', 'each field is digits'],
    ['0 3 * * "x"', 'each field is digits'],
  ])('%j: %s', (s, msg) => expect(scheduleProblem(s)).toContain(msg));
});

describe('jobFiles', () => {
  const spec = { pnpm: '10.34.9', nodeMajor: '24', schedule: '17 */6 * * *' };
  it('a cron job under jobs/, a backfill under jobs/backfills/, each with its Dockerfile and test', () => {
    expect(jobDir('x', 'cron')).toBe('jobs/x');
    expect(jobDir('x', 'backfill')).toBe('jobs/backfills/x');
    expect(Object.keys(jobFiles({ ...spec, name: 'x', kind: 'backfill' })).sort()).toEqual([
      'Dockerfile.x',
      'jobs/backfills/x/README.md',
      'jobs/backfills/x/job.ts',
      'jobs/backfills/x/package.json',
      'jobs/backfills/x/src/definition.ts',
      'jobs/backfills/x/tsconfig.json',
      'jobs/backfills/x/tsup.config.ts',
      'tests/integration/x/x.test.ts',
    ]);
  });

  it('package.json: cron with its schedule, or one-shot with none', () => {
    const cron = JSON.parse(jobFiles({ ...spec, name: 'x', kind: 'cron' })['jobs/x/package.json']!);
    expect([cron.name, cron['job-type'], cron['cron-schedule'], cron.scripts.start]).toEqual([
      '@wxyc/job-x',
      'cron',
      '17 */6 * * *',
      'node dist/job.js',
    ]);
    const once = JSON.parse(jobFiles({ ...spec, name: 'x', kind: 'backfill' })['jobs/backfills/x/package.json']!);
    expect([once['job-type'], 'cron-schedule' in once]).toEqual(['one-shot', false]);
  });

  it('relative paths climb to the root from either depth; the job frame is runTaskJob with its kind', () => {
    const cron = jobFiles({ ...spec, name: 'x', kind: 'cron' });
    const once = jobFiles({ ...spec, name: 'x', kind: 'backfill' });
    expect(cron['jobs/x/tsup.config.ts']).toContain("from '../../tsup.base.js'");
    expect(once['jobs/backfills/x/tsup.config.ts']).toContain("from '../../../tsup.base.js'");
    expect(cron['jobs/x/job.ts']).toContain("kind: 'cron'");
    expect(once['jobs/backfills/x/job.ts']).toContain("kind: 'one-shot'");
    expect(once['Dockerfile.x']).toContain('FROM node:24-bookworm-slim AS build\nRUN npm i -g pnpm@10.34.9');
    expect(once['tests/integration/x/x.test.ts']).toContain("from '../../../jobs/backfills/x/src/definition.js'");
  });
});
