// Process tests run the built entrypoints (dev_env/init-db.mjs, jobs' dist/job.js), so
// `pnpm install && pnpm test` must work without a `pnpm build` first, and must never run a dist
// older than its sources. CI builds before testing; there this is only a check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (s.isFile()) return s.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path, { recursive: true }) as string[]) {
    if (name.includes('node_modules') || name.startsWith('dist')) continue;
    const f = statSync(join(path, name));
    if (f.isFile()) newest = Math.max(newest, f.mtimeMs);
  }
  return newest;
}

/** Each package with a build: [its folder, its built entry]. */
function packages(repo: string): [string, string][] {
  const list = (base: string) =>
    existsSync(join(repo, base))
      ? readdirSync(join(repo, base))
          .map((d) => join(repo, base, d))
          .filter((d) => existsSync(join(d, 'tsup.config.ts')))
      : [];
  return [
    ...list('shared').map((d): [string, string] => [d, join(d, 'dist', 'index.js')]),
    ...[...list('jobs'), ...list('jobs/backfills')].map((d): [string, string] => [d, join(d, 'dist', 'job.js')]),
  ];
}

export function buildIfStale(repo: string): void {
  const sharedSources = Math.max(...packages(repo).filter(([d]) => d.includes('/shared/')).map(([d]) => newestMtime(join(d, 'src'))));
  const stale = packages(repo).filter(([dir, entry]) => {
    if (!existsSync(entry)) return true;
    const built = statSync(entry).mtimeMs;
    // A job bundles the shared packages: their sources count as its own.
    const sources = Math.max(newestMtime(join(dir, 'src')), newestMtime(join(dir, 'job.ts')), dir.includes('/jobs/') ? sharedSources : 0);
    return sources > built;
  });
  if (stale.length === 0) return;
  console.log(`[harness] building (missing or older than their sources: ${stale.map(([d]) => d.slice(repo.length)).join(', ')})`);
  const r = spawnSync('pnpm', ['build'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pnpm build failed:\n${r.stdout}\n${r.stderr}`);
}
