import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR } from '@wxyc/database';
import { workspaceJobs } from '../../../.github/scripts/lib/workspace.mjs';
import { buildImage, copyBuildContext, startImage } from '../../../scripts/image-build.mjs';
import { REPO_ROOT } from '../../support/deploy-sandbox.js';
import { useTestDatabase } from '../../support/test-database.js';
import { removeLater } from '../../support/remove-later.js';

// Every Dockerfile of the repo, built without Docker (scripts/image-build.mjs) and started:
// the files an image ships must be all its command needs.
const db = useTestDatabase();
const work = mkdtempSync(join(tmpdir(), 'wxyc-images-'));
afterAll(() => removeLater(work));
const BUILD_TIMEOUT = 300_000;

// Stands in for dev_env/init-db.mjs until the runner is in the tree: loads what the runner
// loads (the built @wxyc/database, its migrations, postgres) from the image.
const PROBE = `import { createDbClient, loadMigrations, MIGRATIONS_DIR } from '@wxyc/database';
const sql = createDbClient({ applicationName: 'migrate-probe' });
const [{ n }] = await sql\`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations\`;
console.log(\`probe: \${loadMigrations(MIGRATIONS_DIR).length} migration files, \${n} applied, args \${process.argv.slice(2).join(' ')}\`);
await sql.end();
`;

describe('Dockerfile.migrate', () => {
  it(
    'ships the runner with its migrations; `IMAGE --status` runs against the database',
    async () => {
      const runnerInTree = existsSync(join(REPO_ROOT, 'dev_env/init-db.mjs'));
      let ctx = REPO_ROOT;
      if (!runnerInTree) {
        ctx = join(work, 'migrate-ctx');
        copyBuildContext(REPO_ROOT, ctx);
        writeFileSync(join(ctx, 'dev_env/init-db.mjs'), PROBE);
      }
      const image = await buildImage({
        dockerfile: join(ctx, 'Dockerfile.migrate'),
        context: ctx,
        out: join(work, 'migrate'),
      });
      expect(image.env).toMatchObject({ NODE_ENV: 'production' });
      // The runner seeds only with --seed; nothing in the image asks for it.
      expect(image.env).not.toHaveProperty('SKIP_SEED');
      expect(image.user).toBe('node');
      const r = await startImage(image, { args: ['--status'], env: { DATABASE_URL: db.url } });
      expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
      expect(r.code).toBe(0);
      const count = loadMigrations(MIGRATIONS_DIR).length;
      if (!runnerInTree) expect(r.stdout).toBe(`probe: ${count} migration files, ${count} applied, args --status\n`);
      // ops:status from the same image (docs/deploy.md): `docker run --entrypoint node IMAGE dev_env/ops-status.mjs`,
      // reading the baked-in jobs and migrations; --check fails while the cron jobs have no runs.
      const ops = await startImage(
        { ...image, entrypoint: ['node'] },
        { args: ['dev_env/ops-status.mjs', '--json', '--check'], env: { DATABASE_URL: db.url } },
      );
      expect(ops.stderr).toBe('');
      expect(ops.code).toBe(1);
      const status = JSON.parse(ops.stdout);
      expect(status.migrations).toMatchObject({ pending: [], drifted: [] });
      expect(status.cron.map((c: { job: string; verdict: string }) => c.verdict)).toEqual(
        workspaceJobs(REPO_ROOT)
          .filter((j) => j.pkg['job-type'] !== 'one-shot')
          .map(() => 'never-run'),
      );
    },
    BUILD_TIMEOUT,
  );
});

// One test per job of the tree (none is fine: the migrate test keeps this file non-empty);
// concurrent, as each build mostly waits on pnpm.
for (const job of workspaceJobs(REPO_ROOT)) {
  it.concurrent(
    `Dockerfile.${job.job}: started without its env it exits 2 with one line, and its npm deps load`,
    async ({ expect }) => {
      const image = await buildImage({
        dockerfile: join(REPO_ROOT, `Dockerfile.${job.job}`),
        context: REPO_ROOT,
        out: join(work, String(job.job)),
      });
      const bare = await startImage(image);
      expect(bare.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      expect(bare.code).toBe(2);
      expect(bare.stderr.trim().split('\n')).toHaveLength(1);
      for (const dep of Object.keys((job.pkg.dependencies as Record<string, string> | undefined) ?? {})) {
        const r = await startImage(image, {
          args: ['node', '--input-type=module', '-e', `await import(${JSON.stringify(dep)})`],
        });
        expect({ dep, code: r.code, stderr: r.stderr }).toEqual({ dep, code: 0, stderr: '' });
      }
      // @sentry/node is bundled into dist (a devDependency of the job): its npm dependencies (the
      // Sentry CLI, the bundler plugins, rollup) are not shipped, and the bundle still reports.
      const store = join(image.root, image.workdir, 'node_modules/.pnpm');
      const shipped = existsSync(store) ? readdirSync(store) : [];
      expect(shipped.filter((d) => /^(@sentry\+|sentry@|rollup@|@rollup\+|oxc-parser@)/.test(d))).toEqual([]);
      if ((job.pkg.devDependencies as Record<string, string> | undefined)?.['@wxyc/sentry']) {
        const sentry = await recordingSentry();
        try {
          // No DATABASE_URL: the run fails on its env (exit 2) after the Sentry hook has started.
          const r = await startImage(image, { env: { SENTRY_DSN: sentry.dsn } });
          expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
          expect(r.code).toBe(2);
          // Each envelope goes on a connection of its own: arrival order is not send order.
          const kinds = sentry.items().map((i) => (i.type === 'check_in' ? `check_in ${i.status}` : i.type));
          expect(kinds.sort()).toEqual(
            job.pkg['job-type'] === 'cron' ? ['check_in error', 'check_in in_progress', 'event'] : ['event'],
          );
        } finally {
          await sentry.close();
        }
      }
    },
    BUILD_TIMEOUT,
  );
}

/** An HTTP server posing as a DSN's host: the item types (and check-in statuses) of every envelope, in order. */
async function recordingSentry() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString());
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/42`,
    items: () =>
      bodies.flatMap((body) => {
        const lines = body.split('\n').filter(Boolean).slice(1);
        const out: { type: string; status?: string }[] = [];
        for (let i = 0; i + 1 < lines.length; i += 2)
          out.push({ type: JSON.parse(lines[i]!).type, status: JSON.parse(lines[i + 1]!).status });
        return out;
      }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
