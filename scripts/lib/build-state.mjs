// Which workspace packages need a build: their dist is missing or older than their sources
// (a job bundles the @wxyc/* packages it depends on, so their sources count as its own).
// One rule, and one builder (buildIfStale), for the test harness (tests/support/build-if-stale.ts)
// and every command that runs built code from a checkout.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest mtime of the files under `path` (a file or folder), skipping node_modules and dist. @param {string} path */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (s.isFile()) return s.mtimeMs;
  let newest = 0;
  for (const name of /** @type {string[]} */ (readdirSync(path, { recursive: true }))) {
    if (name.split('/').some((part) => part === 'node_modules' || part === 'dist')) continue;
    const f = statSync(join(path, name));
    if (f.isFile()) newest = Math.max(newest, f.mtimeMs);
  }
  return newest;
}

/**
 * @typedef {object} BuildablePackage
 * @property {string} dir    absolute folder
 * @property {string} name   package.json name
 * @property {string} entry  the built file whose age is compared (dist/index.js or dist/job.js)
 * @property {string[]} deps the @wxyc/* workspace packages it depends on directly
 */

/** Every package with a tsup build: shared/* and the jobs. @param {string} repo @returns {BuildablePackage[]} */
export function buildablePackages(repo) {
  /** @param {string} base @param {string} entry */
  const list = (base, entry) =>
    existsSync(join(repo, base))
      ? readdirSync(join(repo, base))
          .map((d) => join(repo, base, d))
          .filter((d) => existsSync(join(d, 'tsup.config.ts')) && existsSync(join(d, 'package.json')))
          .map((dir) => {
            const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
            const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) =>
              d.startsWith('@wxyc/'),
            );
            return { dir, name: /** @type {string} */ (pkg.name), entry: join(dir, 'dist', entry), deps };
          })
      : [];
  return [...list('shared', 'index.js'), ...list('jobs', 'job.js'), ...list('jobs/backfills', 'job.js')];
}

/** `root` and the workspace packages it depends on, transitively. @param {BuildablePackage[]} all @param {string} root */
export function withWorkspaceDeps(all, root) {
  const byName = new Map(all.map((p) => [p.name, p]));
  /** @type {Map<string, BuildablePackage>} */
  const seen = new Map();
  const visit = (/** @type {string} */ name) => {
    const p = byName.get(name);
    if (!p || seen.has(name)) return;
    seen.set(name, p);
    p.deps.forEach(visit);
  };
  visit(root);
  return [...seen.values()];
}

/** The packages of `pkgs` whose build is missing or older than their (and their deps') sources. @param {BuildablePackage[]} pkgs @param {BuildablePackage[]} all */
export function stalePackages(pkgs, all) {
  const own = (/** @type {BuildablePackage} */ p) =>
    Math.max(
      newestMtime(join(p.dir, 'src')),
      newestMtime(join(p.dir, 'job.ts')),
      newestMtime(join(p.dir, 'package.json')),
      newestMtime(join(p.dir, 'tsup.config.ts')),
    );
  return pkgs.filter((p) => {
    if (!existsSync(p.entry)) return true;
    const sources = Math.max(...withWorkspaceDeps(all, p.name).map(own));
    return sources > statSync(p.entry).mtimeMs;
  });
}

/**
 * Builds the packages named (`@wxyc/ops`, a job's package name) and the workspace packages they
 * bundle when any is missing or older than its sources: the rule above, for every command that
 * runs built code from a checkout (`pnpm job`, `pnpm dev`, `ops:status`, `deploy:k8s`, init-db.mjs).
 * Quiet when nothing is stale. A failure is one line on stderr and exit 2 (nothing ran yet).
 * @param {string} repo  repo root
 * @param {string[]} names package names
 * @param {string} prefix the log prefix, e.g. `job`
 */
export function buildIfStale(repo, names, prefix) {
  const fail = (/** @type {string} */ m) => {
    console.error(`[${prefix}] ${m}`);
    process.exit(2);
  };
  if (!existsSync(join(repo, 'node_modules'))) fail('dependencies are not installed: run `pnpm install` first');
  const all = buildablePackages(repo);
  const wanted = [...new Map(names.flatMap((n) => withWorkspaceDeps(all, n)).map((p) => [p.name, p])).values()];
  const stale = stalePackages(wanted, all);
  if (stale.length === 0) return;
  const command = ['build', ...stale.map((p) => p.name)];
  console.log(`[${prefix}] building ${stale.map((p) => p.name).join(', ')} (missing or older than their sources)...`);
  const r = spawnSync('pnpm', ['--silent', ...command], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`could not run pnpm (${r.error.message}): install pnpm >= 10 (README.md, Quick start)`);
  if (r.status !== 0)
    fail(
      `building failed (pnpm ${command.join(' ')} exited ${r.status ?? r.signal}): fix the error above and run the command again`,
    );
  const missing = wanted.filter((p) => !existsSync(p.entry));
  if (missing.length)
    fail(
      `building did not produce ${missing.map((p) => p.entry.slice(repo.length)).join(', ')}: check its tsup.config.ts`,
    );
}
