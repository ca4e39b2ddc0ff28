// Process tests run the built entrypoints (dev_env/init-db.mjs, jobs' dist/job.js), so
// `pnpm install && pnpm test` must work without a `pnpm build` first, and must never run a dist
// older than its sources. CI builds before testing; there this is only a check. The rule of
// what is stale is scripts/lib/build-state.mjs, shared with `pnpm job`.
import { spawnSync } from 'node:child_process';
import { buildablePackages, stalePackages } from '../../scripts/lib/build-state.mjs';

export function buildIfStale(repo: string): void {
  const all = buildablePackages(repo);
  const stale = stalePackages(all, all);
  if (stale.length === 0) return;
  console.log(
    `[harness] building (missing or older than their sources: ${stale.map((p) => p.dir.slice(repo.length)).join(', ')})`,
  );
  const r = spawnSync('pnpm', ['build'], { cwd: repo, encoding: 'utf8' });
  if (r.error) throw new Error(`pnpm build could not start (${r.error.message}): is pnpm on PATH? See README.md`);
  if (r.status !== 0) throw new Error(`pnpm build failed:\n${r.stdout}\n${r.stderr}`);
}
