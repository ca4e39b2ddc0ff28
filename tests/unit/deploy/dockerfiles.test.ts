import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mapAbsolutePaths } from '../../../scripts/image-build.mjs';
import { envPairs, execForm, parseDockerfile } from '../../../scripts/lib/dockerfile.mjs';
import { REPO_ROOT } from '../../support/deploy-sandbox.js';
import { dockerfileProblems } from '../../support/dockerfile-checks.js';

it('every job has a Dockerfile, every Dockerfile names an existing job and paths, in the shape of docs/deploy.md', () => {
  expect(dockerfileProblems(REPO_ROOT)).toEqual([]);
});

describe('dockerfileProblems on a fixture tree', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const FIXTURE = join(REPO_ROOT, 'tests/support/fixture-job');
  const GOOD = readFileSync(join(FIXTURE, 'Dockerfile'), 'utf8');

  function tree(dockerfiles: Record<string, string>, jobs = ['jobs/fixture-probe']) {
    root = mkdtempSync(join(tmpdir(), 'wxyc-dockerfiles-'));
    for (const dir of jobs) {
      mkdirSync(join(root, dir), { recursive: true });
      const pkg = JSON.parse(readFileSync(join(FIXTURE, 'package.json'), 'utf8'));
      pkg.name = `@wxyc/job-${dir.split('/').pop()}`;
      writeFileSync(join(root, dir, 'package.json'), JSON.stringify(pkg));
      cpSync(join(FIXTURE, 'job.ts'), join(root, dir, 'job.ts'));
    }
    for (const [name, text] of Object.entries(dockerfiles)) writeFileSync(join(root, `Dockerfile.${name}`), text);
    return dockerfileProblems(root);
  }

  it('the convention shape passes', () => {
    expect(tree({ 'fixture-probe': GOOD })).toEqual([]);
  });

  it('an image pnpm other than the packageManager pin', () => {
    const pinned = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).packageManager as string;
    const other = GOOD.replace(/pnpm@\S+/, 'pnpm@9.0.0');
    tree({});
    writeFileSync(join(root, 'package.json'), JSON.stringify({ packageManager: pinned }));
    writeFileSync(join(root, 'Dockerfile.fixture-probe'), other);
    expect(dockerfileProblems(root)).toEqual([
      `Dockerfile.fixture-probe:5: installs pnpm@9.0.0; package.json pins pnpm@${pinned.split('@')[1]!.split('+')[0]} (packageManager)`,
    ]);
  });

  it('an image Node other than the .nvmrc major', () => {
    const major = readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim();
    const other = GOOD.replace('FROM node:24-bookworm-slim AS build', 'FROM node:20-bookworm-slim AS build');
    tree({ 'fixture-probe': other });
    writeFileSync(join(root, '.nvmrc'), `${major}\n`);
    expect(dockerfileProblems(root)).toEqual([
      `Dockerfile.fixture-probe:4: FROM node:20-bookworm-slim is not node:${major}-<debian>-slim (.nvmrc)`,
    ]);
  });

  it('a job without a Dockerfile, and a Dockerfile without a job', () => {
    expect(tree({ 'fixture-probe': GOOD, ghost: GOOD }, ['jobs/fixture-probe', 'jobs/backfills/lonely'])).toEqual([
      'jobs/backfills/lonely: no Dockerfile.lonely',
      'Dockerfile.ghost: no job folder jobs/ghost or jobs/backfills/ghost',
    ]);
  });

  it('a COPY of a missing path, a root user, a build of another package, a missing ENV, a CMD off the start script', () => {
    const bad = GOOD.replace('COPY --from=build /out ./', 'COPY --from=build /out ./\nCOPY dev_env ./dev_env')
      .replace('USER node', 'USER root')
      .replace('"@wxyc/job-fixture-probe..." build', '@wxyc/job-other build')
      .replace(' DB_STATEMENT_TIMEOUT_MS=12345', '')
      .replace('"dist/job.js"', '"dist/main.js"');
    expect(tree({ 'fixture-probe': bad })).toEqual([
      'Dockerfile.fixture-probe:14: COPY dev_env: no such path',
      'Dockerfile.fixture-probe: the final stage must set a non-root USER',
      'Dockerfile.fixture-probe: build with pnpm --filter "@wxyc/job-fixture-probe..." build',
      'Dockerfile.fixture-probe: ENV DB_STATEMENT_TIMEOUT_MS=<ms> is missing',
      'Dockerfile.fixture-probe: CMD node dist/main.js differs from jobs/fixture-probe/package.json "start" (node dist/job.js)',
    ]);
  });
});

describe('parseDockerfile', () => {
  it('joins continuations, drops comments inside them, reads flags and stage names', () => {
    const [build, final] = parseDockerfile(
      [
        '# syntax comment',
        'FROM node:24-bookworm-slim AS build',
        'RUN a \\',
        '  # dropped',
        '  && b',
        '',
        'from node:24-bookworm-slim',
        'COPY --from=build --chown=node /out ./',
        'CMD ["node", "x.js"]',
      ].join('\n'),
    );
    expect(build).toMatchObject({
      from: 'node:24-bookworm-slim',
      name: 'build',
      line: 2,
      steps: [{ keyword: 'RUN', args: 'a    && b', line: 3 }],
    });
    expect(final).toMatchObject({
      name: null,
      steps: [{ keyword: 'COPY', flags: { from: 'build', chown: 'node' }, args: '/out ./' }, { keyword: 'CMD' }],
    });
    expect(execForm(final!.steps[1]!.args)).toEqual(['node', 'x.js']);
    expect(execForm('node x.js')).toBeNull();
  });

  it('reads ENV in both forms', () => {
    expect(envPairs('A=1 B="x y" C=')).toEqual({ A: '1', B: 'x y', C: '' });
    expect(envPairs('A some words')).toEqual({ A: 'some words' });
  });

  it('refuses instructions before FROM', () => {
    expect(() => parseDockerfile('RUN x\nFROM node:24')).toThrow('line 1: RUN before any FROM');
  });
});

it('mapAbsolutePaths moves image paths under the stage folder and leaves system paths alone', () => {
  expect(
    mapAbsolutePaths('pnpm deploy --prod /out && ln -s ../x /out/a && cp /etc/hosts /tmp/h --dir=/repo/x', '/s'),
  ).toBe('pnpm deploy --prod /s/out && ln -s ../x /s/out/a && cp /etc/hosts /tmp/h --dir=/s/repo/x');
});
