// (An integration test only because it runs the built scripts/deploy-k8s.mjs, which the harness builds first.)
// deploy:k8s: manifests generated from the jobs' package.json, checked offline against the
// Kubernetes API schema (kubernetes-models' validate(), the OpenAPI schemas of the API it is
// generated from) after a round trip through the YAML text that kubectl would receive.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildManifests, MIGRATE_DEADLINE_S, migrateJobName, parseK8sArgs, validateManifest } from '@wxyc/k8s';
import { readJobSpecs } from '@wxyc/ops';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const opts = {
  registry: '123.dkr.ecr.us-east-1.amazonaws.com',
  tag: 'sha-abc123',
  namespace: 'wxyc-jobs',
  secret: 'wxyc-jobs-env',
};
const cli = (args: string[]) =>
  run(process.execPath, [join(repo, 'scripts/deploy-k8s.mjs'), ...args], { env: { PATH: process.env.PATH } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** What the API server would get: the YAML text parsed back, validated by the schema of its kind. */
const fakeClock = join(repo, 'tests/support/fake-clock.mjs');
const deployAt = join(repo, 'tests/support/deploy-k8s-at.mjs');
const revalidate = (doc: Record<string, unknown>) => validateManifest(doc);

describe('deploy:k8s manifests', () => {
  const jobs = readJobSpecs(repo);
  const manifests = buildManifests(jobs, opts);
  const byName = new Map(manifests.map((m) => [m.model.metadata!.name!, m.model.toJSON() as Record<string, any>]));

  it('a CronJob per cron job: schedule from package.json, station time zone, Forbid, deadlines, history limits', () => {
    // A tick may run for one period of its schedule (no overlap with the next; Forbid skips it).
    const periodS: Record<string, number> = { '*/30 * * * *': 1800, '17 */6 * * *': 6 * 3600 };
    for (const j of jobs.filter((x) => x.type === 'cron')) {
      const c = byName.get(j.name)!;
      expect(periodS[j.schedule!], `add ${j.schedule} to this table`).toBeDefined();
      expect(c.kind).toBe('CronJob');
      expect(c.spec).toMatchObject({
        schedule: j.schedule,
        timeZone: 'America/New_York',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { spec: { activeDeadlineSeconds: periodS[j.schedule!], backoffLimit: 0 } },
      });
      const container = c.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.image).toBe(`123.dkr.ecr.us-east-1.amazonaws.com/wxyc-jobs/${j.name}:sha-abc123`);
      expect(container.envFrom).toEqual([{ secretRef: { name: 'wxyc-jobs-env' } }]);
      expect(container.env).toContainEqual({ name: 'IMAGE_VERSION', value: 'sha-abc123' });
      expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    }
  });

  it('a suspended Job per one-shot job, and the migrate Job bounded like the host', () => {
    const oneShots = jobs.filter((x) => x.type === 'one-shot');
    expect(oneShots.length).toBeGreaterThan(0);
    for (const j of oneShots)
      expect(byName.get(j.name)).toMatchObject({ kind: 'Job', spec: { suspend: true, backoffLimit: 0 } });
    const host = readFileSync(join(repo, '.github/scripts/host/migrate.sh'), 'utf8');
    const minutes = Number(/bound=\$\{MIGRATE_TIMEOUT:-(\d+)m\}/.exec(host)![1]);
    expect(MIGRATE_DEADLINE_S).toBe(minutes * 60);
    expect(manifests[0]!.file).toBe('00-migrate.yaml');
    expect(byName.get(migrateJobName('sha-abc123'))).toMatchObject({
      kind: 'Job',
      spec: { activeDeadlineSeconds: MIGRATE_DEADLINE_S, backoffLimit: 0 },
    });
    expect(byName.get(migrateJobName('sha-abc123'))!.spec.suspend).toBeUndefined();
  });

  it('every document of the printed YAML validates against the Kubernetes schema; a broken one does not', async () => {
    const r = await cli(['--tag', 'sha-abc123']);
    expect(r.code, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, any>);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `Job/${migrateJobName('sha-abc123')}`,
      ...jobs.map((j) => `${j.type === 'cron' ? 'CronJob' : 'Job'}/${j.name}`),
    ]);
    for (const d of docs) revalidate(d);
    const cron = docs.find((d) => d.kind === 'CronJob')!;
    expect(() => revalidate({ ...cron, spec: { ...cron.spec, concurrencyPolicy: 'Sometimes' } })).toThrow(
      /concurrencyPolicy/,
    );
    expect(() => revalidate({ ...cron, spec: { ...cron.spec, startingDeadlineSeconds: '300' } })).toThrow(
      /startingDeadlineSeconds/,
    );
    const { jobTemplate: _drop, ...noTemplate } = cron.spec;
    expect(() => revalidate({ ...cron, spec: noTemplate })).toThrow(/jobTemplate/);
  });

  it('--out DIR writes one file per manifest', async () => {
    const out = mkdtempSync(join(tmpdir(), 'k8s-'));
    const r = await cli(['--out', out, '--tag', 'v1.2.3']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['00-migrate.yaml', ...jobs.map((j) => `10-${j.name}.yaml`)].sort());
    expect(readFileSync(join(out, '00-migrate.yaml'), 'utf8')).toContain(`name: ${migrateJobName('v1.2.3')}`);
  });

  it('bad input: one line naming what was wrong, exit 2', async () => {
    expect(() => parseK8sArgs(['--tag'])).toThrow('--tag needs a value');
    expect(() => parseK8sArgs(['--tag', 'a b'])).toThrow('image tag "a b" is invalid');
    expect(() => parseK8sArgs(['--namespace', 'Prod'])).toThrow('namespace "Prod" is invalid');
    expect(() => parseK8sArgs(['--registry', 'x;rm -rf'])).toThrow(/registry "x;rm -rf" is invalid/);
    expect(parseK8sArgs([], { IMAGE_TAG: 'sha-1', IMAGE_REGISTRY: 'r.example' })).toMatchObject({
      tag: 'sha-1',
      registry: 'r.example',
      namespace: 'wxyc-jobs',
      out: null,
    });
    const r = await cli(['--bogus']);
    expect([r.code, r.stderr.trim()]).toEqual([
      2,
      expect.stringMatching(/^\[deploy-k8s\] error: unknown argument "--bogus"; usage: pnpm deploy:k8s/),
    ]);
    expect(() =>
      buildManifests([{ name: 'Bad_Name', type: 'one-shot', schedule: null, dir: 'jobs/Bad_Name' }], opts),
    ).toThrow(/jobs\/Bad_Name: the folder name "Bad_Name" is not a valid Kubernetes/);
  });

  it('no --tag (default latest): one line, exit 2, nothing printed', async () => {
    const r = await cli(['--registry', 'r.example']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(
      /^\[deploy-k8s\] error: the migrate Job needs the image tag of this deploy .* not "latest"/,
    );
  });

  it('is a pure function of the repository: the same bytes whatever day and hour it is generated (DST days too)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'k8s-dst-'));
    const job = (name: string, schedule: string) => {
      mkdirSync(join(root, 'jobs', name), { recursive: true });
      writeFileSync(
        join(root, 'jobs', name, 'package.json'),
        JSON.stringify({ 'job-type': 'cron', 'cron-schedule': schedule }),
      );
    };
    job('daily-early', '30 1 * * *');
    job('daily-noon', '0 12 * * *');
    job('every-45', '*/45 * * * *');
    const at = (now: string) =>
      run(process.execPath, ['--import', fakeClock, deployAt, root, '--tag', 'sha-abc123'], {
        env: { PATH: process.env.PATH, FAKE_NOW: now },
      });
    const nows = [
      '2026-04-20T15:07:00Z', // 11:07 in New York: the last */45 gap was 15 min
      '2026-04-20T15:50:00Z', // 11:50: the last */45 gap was 45 min
      '2026-03-08T18:00:00Z', // spring forward: the day is 23 h long
      '2026-11-01T06:40:00Z', // fall back: 01:30 happened twice, an hour apart (the second 10 min ago)
    ];
    const outs = [];
    for (const n of nows) outs.push((await at(n)).stdout);
    for (const o of outs.slice(1)) expect(o).toBe(outs[0]);
    const docs = parseAllDocuments(outs[0]!).map((d) => d.toJS() as Record<string, any>);
    const deadline = (name: string) =>
      docs.find((d) => d.metadata.name === name)!.spec.jobTemplate.spec.activeDeadlineSeconds;
    expect([deadline('daily-early'), deadline('daily-noon'), deadline('every-45')]).toEqual([86_400, 86_400, 2_700]);
  });
});
