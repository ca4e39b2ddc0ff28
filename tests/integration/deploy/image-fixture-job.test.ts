import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildImage, copyBuildContext, startImage } from '../../../scripts/image-build.mjs';
import { REPO_ROOT, run } from '../../support/deploy-sandbox.js';
import { useTestDatabase } from '../../support/test-database.js';
import { removeLater } from '../../support/remove-later.js';

// The job-image convention, proven on a fixture job added to a temp copy of the repo: tsup
// bundles the @wxyc/* packages, `pnpm deploy --prod --legacy` adds the npm deps only, and the
// result runs against the database with the image's ENV.
const db = useTestDatabase();
const work = mkdtempSync(join(tmpdir(), 'wxyc-image-fixture-'));
afterAll(() => removeLater(work));

it('a convention job image ships dist and its npm deps only, and runs with its ENV', async () => {
  const ctx = join(work, 'ctx');
  copyBuildContext(REPO_ROOT, ctx);
  const fixture = join(REPO_ROOT, 'tests/support/fixture-job');
  mkdirSync(join(ctx, 'jobs/fixture-probe'), { recursive: true });
  for (const f of ['job.ts', 'package.json', 'tsup.config.ts', 'tsconfig.json'])
    cpSync(join(fixture, f), join(ctx, 'jobs/fixture-probe', f));
  cpSync(join(fixture, 'Dockerfile'), join(ctx, 'Dockerfile.fixture-probe'));
  // The new workspace package must be in the lockfile for `--frozen-lockfile`. Online when the
  // cache is cold (a fresh machine has no package metadata), from the cache when it is warm.
  const lock = await run('pnpm', ['install', '--lockfile-only', '--prefer-offline'], { cwd: ctx, env: process.env });
  expect(lock.stderr).toBe('');
  expect(lock.code).toBe(0);
  // --lockfile-only skips the root postinstall that keeps patches in pnpm 10's form.
  const form = await run('node', [join(REPO_ROOT, 'scripts/lockfile-patches.mjs'), '--root', ctx], {
    cwd: ctx,
    env: process.env,
  });
  expect(form.code).toBe(0);

  const image = await buildImage({
    dockerfile: join(ctx, 'Dockerfile.fixture-probe'),
    context: ctx,
    out: join(work, 'image'),
  });
  expect(image.user).toBe('node');
  const app = join(image.root, 'app');
  expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
  expect(existsSync(join(app, 'node_modules/postgres/package.json'))).toBe(true);
  expect(existsSync(join(app, 'node_modules/@wxyc'))).toBe(false); // bundled into dist/job.js

  const ok = await startImage(image, { env: { DATABASE_URL: db.url } });
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain('[fixture-probe] connected as fixture-probe, statement_timeout 12345ms');

  // What the generic check of every job image relies on: no env -> exit 2, one line.
  const bare = await startImage(image);
  expect(bare.code).toBe(2);
  expect(bare.stderr.trim()).toBe(
    '[fixture-probe] error: DATABASE_URL is not set: it must be the URL of the database to probe.',
  );
}, 300_000);
