import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeploySandbox, outputs, run, SCRIPTS } from '../../support/deploy-sandbox.js';

// The shell steps of the deploy workflows, run for real (bash, yq, flock, timeout, awk) with
// fake docker, crontab and ssh on PATH that record their calls.

let box: DeploySandbox;
afterEach(() => box?.remove());

const IMAGE = '123.dkr.ecr.us-east-1.amazonaws.com/wxyc-jobs/flowsheet-etl:sha-abc1234';
const TAG = 'sha-abc1234';

function job(rel: string, pkg: Record<string, unknown>, name = rel.split('/').pop()!): void {
  box.writeFile(`${rel}/package.json`, JSON.stringify({ name: `@wxyc/job-${name}`, private: true, ...pkg }, null, 2));
  box.writeFile(`Dockerfile.${name}`, 'FROM node:24-bookworm-slim\n');
}

async function resolve(target: string) {
  const r = await box.script('resolve-target.sh', [], { env: { TARGET: target } });
  return { ...r, out: outputs(r.stdout) };
}

/** Installs the crontab line the way deploy-base does: install-schedule.sh -> remote.sh -> ssh -> host script. */
function installSchedule(env: Record<string, string>) {
  return box.script('install-schedule.sh', [], { env });
}

describe('resolve-target.sh', () => {
  it('reads a cron job: type, schedule, folder and Dockerfile', async () => {
    box = new DeploySandbox();
    job('jobs/flowsheet-etl', { 'job-type': 'cron', 'cron-schedule': '*/30 * * * *' });
    const r = await resolve('flowsheet-etl');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toEqual({
      name: 'flowsheet-etl',
      path: 'jobs/flowsheet-etl',
      dockerfile: 'Dockerfile.flowsheet-etl',
      job_type: 'cron',
      schedule: '*/30 * * * *',
    });
  });

  it('finds a backfill by its folder name; one-shot has no schedule', async () => {
    box = new DeploySandbox();
    job('jobs/backfills/dj-name-backfill', { 'job-type': 'one-shot' });
    const r = await resolve('dj-name-backfill');
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ path: 'jobs/backfills/dj-name-backfill', job_type: 'one-shot', schedule: '' });
  });

  it('defaults job-type to cron', async () => {
    box = new DeploySandbox();
    job('jobs/nightly', { 'cron-schedule': '0 3 * * *' });
    const r = await resolve('nightly');
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ job_type: 'cron', schedule: '0 3 * * *' });
  });

  it.each([
    ['missing', {}],
    ['null', { 'cron-schedule': null }],
  ])('fails naming the file when a cron job has no cron-schedule (%s)', async (_case, extra) => {
    box = new DeploySandbox();
    job('jobs/nightly', { 'job-type': 'cron', ...extra });
    const r = await resolve('nightly');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('jobs/nightly/package.json: job-type cron needs a "cron-schedule"');
    expect(r.stdout).toBe('');
  });

  it('fails on a schedule that is not five cron fields', async () => {
    box = new DeploySandbox();
    job('jobs/nightly', { 'cron-schedule': '0 3 * * * ; curl evil' });
    const r = await resolve('nightly');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('jobs/nightly/package.json: cron-schedule');
  });

  it('fails on an unknown job-type, naming the file and the value', async () => {
    box = new DeploySandbox();
    job('jobs/odd', { 'job-type': 'daemon' });
    const r = await resolve('odd');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('jobs/odd/package.json: unknown job-type daemon: use "cron" or "one-shot"');
  });

  it.each([
    'x; touch pwned',
    '$(touch pwned)',
    '`touch pwned`',
    'etl && touch pwned',
    '../jobs/etl',
    'ETL',
    'etl\ntouch pwned',
    '',
  ])('refuses target %j without running any of it', async (target) => {
    box = new DeploySandbox();
    job('jobs/etl', { 'cron-schedule': '* * * * *' });
    const r = await resolve(target);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a job name');
    expect(r.stdout).toBe('');
    expect(existsSync(join(box.dir, 'pwned'))).toBe(false);
  });

  it('refuses a well-formed name that is no job folder, and a job without a Dockerfile', async () => {
    box = new DeploySandbox();
    let r = await resolve('nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'no job nope: neither jobs/nope/package.json nor jobs/backfills/nope/package.json exists',
    );
    box.writeFile('jobs/bare/package.json', '{"job-type": "one-shot"}');
    r = await resolve('bare');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Dockerfile.bare is missing');
  });

  it('resolves migrate to the migrate image', async () => {
    box = new DeploySandbox();
    box.writeFile('Dockerfile.migrate', 'FROM node:24-bookworm-slim\n');
    const r = await resolve('migrate');
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ name: 'migrate', job_type: 'migrate', dockerfile: 'Dockerfile.migrate', path: '' });
  });
});

describe('install-schedule.sh + host/install-cron.sh over ssh', () => {
  const cron = { JOB_TYPE: 'cron', NAME: 'flowsheet-etl', SCHEDULE: '*/30 * * * *', IMAGE };

  it('cron job: one marked line with the lockout command, sent through ssh with the schedule intact', async () => {
    box = new DeploySandbox();
    const r = await installSchedule(cron);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const home = box.home;
    expect(box.crontab()).toEqual([
      `*/30 * * * * docker ps --format '{{.Names}}' -f 'name=^wxyc-flowsheet-etl$' | grep -qx 'wxyc-flowsheet-etl' || ` +
        `docker run --rm --name wxyc-flowsheet-etl --env-file ${home}/.env -e IMAGE_VERSION=${TAG} -e JOB_HOST=${hostname()} ${IMAGE} >>${home}/logs/flowsheet-etl.log 2>&1 # wxyc_flowsheet-etl`,
    ]);
    expect(box.calls('ssh')).toEqual([expect.stringMatching(/^ssh -o BatchMode=yes deploy@host\.example /)]);
    expect(box.calls('docker')).toEqual([`docker pull --quiet ${IMAGE}`]);
  });

  it('one-shot job: no crontab line, no ssh', async () => {
    box = new DeploySandbox();
    box.setCrontab(['0 1 * * * backup.sh']);
    const r = await installSchedule({ ...cron, JOB_TYPE: 'one-shot', SCHEDULE: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no crontab line');
    expect(box.crontab()).toEqual(['0 1 * * * backup.sh']);
    expect(box.calls()).toEqual([]);
  });

  it('unknown job type fails', async () => {
    box = new DeploySandbox();
    const r = await installSchedule({ ...cron, JOB_TYPE: 'daemon' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown job type daemon');
    expect(box.calls()).toEqual([]);
  });

  it('a re-deploy replaces the line and keeps every other line, including a wxyc_<job>-foo job', async () => {
    box = new DeploySandbox();
    box.setCrontab([
      'MAILTO=ops@example.org',
      '0 1 * * * backup.sh',
      '# keep me',
      '5 * * * * other # wxyc_flowsheet-etl-foo',
    ]);
    expect((await installSchedule(cron)).code).toBe(0);
    const newer = IMAGE.replace('sha-abc1234', 'sha-def5678');
    const r = await installSchedule({ ...cron, SCHEDULE: '*/15 * * * *', IMAGE: newer });
    expect(r.code).toBe(0);
    const table = box.crontab();
    expect(table.slice(0, 4)).toEqual([
      'MAILTO=ops@example.org',
      '0 1 * * * backup.sh',
      '# keep me',
      '5 * * * * other # wxyc_flowsheet-etl-foo',
    ]);
    expect(table).toHaveLength(5);
    expect(table[4]).toMatch(/^\*\/15 \* \* \* \* .*sha-def5678 .*# wxyc_flowsheet-etl$/);
  });

  it('a crontab that cannot be read is left alone', async () => {
    box = new DeploySandbox({ FAKE_CRONTAB_READ_ERROR: 'crontab: your UID is not in the passwd file' });
    box.setCrontab(['0 1 * * * backup.sh']);
    const r = await installSchedule(cron);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read the crontab: crontab: your UID is not in the passwd file');
    expect(box.crontab()).toEqual(['0 1 * * * backup.sh']);
    expect(box.calls('crontab')).toEqual(['crontab -l']); // read, never written
  });

  it('two deploys at once both land: the crontab is rewritten under flock', async () => {
    box = new DeploySandbox({ FAKE_CRONTAB_WRITE_DELAY: '0.4' });
    const [a, b] = await Promise.all([
      installSchedule(cron),
      installSchedule({ ...cron, NAME: 'playlist-sync', SCHEDULE: '0 * * * *' }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(box.crontab().map((l) => l.slice(l.lastIndexOf('#')))).toEqual(
      expect.arrayContaining(['# wxyc_flowsheet-etl', '# wxyc_playlist-sync']),
    );
    expect(box.crontab()).toHaveLength(2);
  });

  it('the host script refuses a name or image that would be shell in the crontab', async () => {
    box = new DeploySandbox();
    for (const [name, image] of [
      ['etl;id', IMAGE],
      ['etl', `${IMAGE};touch pwned`],
    ] as const) {
      const r = await box.script('host/install-cron.sh', [name, '* * * * *', image]);
      expect(r.code).toBe(1);
    }
    expect(box.crontab()).toEqual([]);
    expect(existsSync(join(box.dir, 'pwned'))).toBe(false);
  });
});

describe('the lockout command of the crontab line', () => {
  async function tick(running: string[]) {
    box = new DeploySandbox();
    expect((await box.script('host/install-cron.sh', ['flowsheet-etl', '* * * * *', IMAGE])).code).toBe(0);
    const command = box.crontab()[0]!.split(' ').slice(5).join(' ');
    box.setRunning(running);
    const r = await run('sh', ['-c', command], { env: box.env, cwd: box.home });
    return { ...r, runs: box.calls('docker run') };
  }

  it('starts a tick when nothing runs', async () => {
    const t = await tick([]);
    expect(t.code).toBe(0);
    expect(t.runs).toEqual([
      `docker run --rm --name wxyc-flowsheet-etl --env-file ${box.home}/.env -e IMAGE_VERSION=${TAG} -e JOB_HOST=${hostname()} ${IMAGE}`,
    ]);
    expect(existsSync(join(box.home, 'logs/flowsheet-etl.log'))).toBe(true);
  });

  it('skips while a container with exactly that name runs', async () => {
    const t = await tick(['other', 'wxyc-flowsheet-etl']);
    expect(t.runs).toEqual([]);
    expect(box.calls('docker kill')).toEqual([]);
  });

  it('tells the run history the image version: a tag, a digest, none behind a registry port', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    for (const [image, version] of [
      [IMAGE, TAG],
      [`registry.example:5000/wxyc/flowsheet-etl@${digest}`, digest],
      ['registry.example:5000/wxyc/flowsheet-etl', 'latest'],
    ] as const) {
      box = new DeploySandbox();
      expect((await box.script('host/install-cron.sh', ['flowsheet-etl', '* * * * *', image])).code).toBe(0);
      expect(box.crontab()[0]).toContain(` -e IMAGE_VERSION=${version} -e JOB_HOST=${hostname()} ${image} `);
    }
  });

  it('starts when only wxyc-<job>-foo runs (docker matches it by substring)', async () => {
    const t = await tick(['wxyc-flowsheet-etl-foo', 'x-wxyc-flowsheet-etl']);
    expect(t.runs).toHaveLength(1);
  });
});

describe('host/migrate.sh over ssh', () => {
  const migrate = () => box.script('remote.sh', [join(SCRIPTS, 'host/migrate.sh'), IMAGE]);

  it('runs the image once with the env file and no arguments (so no --seed)', async () => {
    box = new DeploySandbox();
    const r = await migrate();
    expect(r.code).toBe(0);
    expect(box.calls('docker run')).toEqual([
      `docker run --rm --name wxyc-migrate --env-file ${box.home}/.env -e IMAGE_VERSION=${TAG} -e JOB_HOST=${hostname()} ${IMAGE}`,
    ]);
  });

  it('fails the deploy with the runner exit code', async () => {
    box = new DeploySandbox({ FAKE_DOCKER_RUN_EXIT: '2' });
    const r = await migrate();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('migrate failed with exit code 2');
  });

  it('sends SIGTERM at the bound and fails the deploy', async () => {
    box = new DeploySandbox({ FAKE_DOCKER_RUN_SLEEP: '30', MIGRATE_TIMEOUT: '1s' });
    const started = Date.now();
    const r = await migrate();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrate did not finish within 1s and was sent SIGTERM');
    expect(box.calls('docker-run-got-TERM')).toHaveLength(1);
  });
});

describe('push-image.sh', () => {
  const env = { IMAGE: 'reg/wxyc-jobs/etl', DOCKERFILE: 'Dockerfile.etl', SHA: 'abc1234' };
  const push = (extra: Record<string, string>) => box.script('push-image.sh', [], { env: { ...env, ...extra } });

  it('builds once with the version, sha and latest tags, and pushes each', async () => {
    box = new DeploySandbox();
    box.writeFile('Dockerfile.etl', 'FROM node:24-bookworm-slim\n');
    const r = await push({ VERSION: 'v1.2' });
    expect(r.code).toBe(0);
    expect(outputs(r.stdout).image).toBe('reg/wxyc-jobs/etl:v1.2');
    expect(box.calls()).toEqual([
      'docker manifest inspect reg/wxyc-jobs/etl:v1.2',
      'docker build -f Dockerfile.etl -t reg/wxyc-jobs/etl:v1.2 -t reg/wxyc-jobs/etl:sha-abc1234 -t reg/wxyc-jobs/etl:latest .',
      'docker push reg/wxyc-jobs/etl:v1.2',
      'docker push reg/wxyc-jobs/etl:sha-abc1234',
      'docker push reg/wxyc-jobs/etl:latest',
    ]);
  });

  it('skips the build when the tag exists; "latest" checks the sha tag', async () => {
    box = new DeploySandbox();
    box.writeFile('Dockerfile.etl', 'FROM node:24-bookworm-slim\n');
    box.setManifests(['reg/wxyc-jobs/etl:sha-abc1234']);
    const r = await push({ VERSION: 'latest' });
    expect(r.code).toBe(0);
    expect(outputs(r.stdout).image).toBe('reg/wxyc-jobs/etl:sha-abc1234');
    expect(box.calls()).toEqual(['docker manifest inspect reg/wxyc-jobs/etl:sha-abc1234']);
  });

  it('refuses a version that is not a tag', async () => {
    box = new DeploySandbox();
    box.writeFile('Dockerfile.etl', 'FROM node:24-bookworm-slim\n');
    const r = await push({ VERSION: 'v1;touch pwned' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a valid image tag');
    expect(box.calls()).toEqual([]);
  });
});

describe('setup-ssh.sh', () => {
  const env = {
    SSH_KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
    SSH_KNOWN_HOSTS: 'host.example ssh-ed25519 AAAA',
    REGISTRY: '123.dkr.ecr.us-east-1.amazonaws.com',
    AWS_REGION: 'us-east-1',
    FAKE_ECR_PASSWORD: 's3cret-pw',
  };

  it('writes the key (0600) and pinned host key, and logs the host in to ECR with the password on stdin only', async () => {
    box = new DeploySandbox();
    const r = await box.script('setup-ssh.sh', [], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ssh = join(box.home, '.ssh');
    expect(readFileSync(join(ssh, 'deploy_key'), 'utf8')).toBe(`${env.SSH_KEY}\n`);
    expect(statSync(join(ssh, 'deploy_key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(ssh, 'known_hosts'), 'utf8')).toBe(`${env.SSH_KNOWN_HOSTS}\n`);
    expect(readFileSync(join(ssh, 'config'), 'utf8')).toContain('StrictHostKeyChecking yes');
    expect(box.calls('docker')).toEqual([
      `docker login --username AWS --password-stdin ${env.REGISTRY}`,
      'docker-login-stdin s3cret-pw',
    ]);
    expect(box.calls('ssh').join('\n')).not.toContain('s3cret-pw');
  });

  it('refuses a registry that is not a host name', async () => {
    box = new DeploySandbox();
    const r = await box.script('setup-ssh.sh', [], { env: { ...env, REGISTRY: 'x; touch pwned' } });
    expect(r.code).toBe(1);
    expect(box.calls()).toEqual([]);
  });
});

describe('remote.sh quoting', () => {
  // The fake ssh hands the command line to sh, which is dash on Debian/Ubuntu (as on many
  // deploy hosts); bash's printf %q output ($'...') would arrive mangled there.
  const tricky = [
    '*/30 * * * *',
    "it's",
    'tab\there',
    'new\nline',
    'ünïcödé',
    '$(touch /tmp/pwned) `id` $HOME',
    '',
    '\\back\\slash',
    "''",
    '-- -x',
  ];

  it('delivers every argument byte for byte through a POSIX login shell', async () => {
    box = new DeploySandbox();
    box.writeFile('echo-args.sh', 'for a in "$@"; do printf "<%s>\\n" "$a"; done\n');
    const r = await box.script('remote.sh', [join(box.dir, 'echo-args.sh'), ...tricky]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(tricky.map((a) => `<${a}>\n`).join(''));
  });
});
