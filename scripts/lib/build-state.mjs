// Which workspace packages need a build: their dist is missing or older than their sources
// (a job bundles the @wxyc/* packages it depends on, so their sources count as its own).
// One rule for the test harness (tests/support/build-if-stale.ts) and `pnpm job`.
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
            const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith('@wxyc/'));
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
    Math.max(newestMtime(join(p.dir, 'src')), newestMtime(join(p.dir, 'job.ts')), newestMtime(join(p.dir, 'package.json')), newestMtime(join(p.dir, 'tsup.config.ts')));
  return pkgs.filter((p) => {
    if (!existsSync(p.entry)) return true;
    const sources = Math.max(...withWorkspaceDeps(all, p.name).map(own));
    return sources > statSync(p.entry).mtimeMs;
  });
}
