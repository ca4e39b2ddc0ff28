// The workspace as the deploy sees it: packages under the folders of pnpm-workspace.yaml,
// jobs being those under jobs/ and jobs/backfills/ (deployed by folder name).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parents of pnpm-workspace.yaml's `packages` globs (a unit test keeps them equal). */
export const PACKAGE_PARENTS = ['shared', 'jobs', 'jobs/backfills'];

/**
 * @typedef {object} WorkspacePackage
 * @property {string} dir       folder relative to the repo root, e.g. jobs/backfills/x
 * @property {string} name      package.json name
 * @property {string | null} job the deploy name (folder name) when it is a job
 * @property {string[]} workspaceDeps names of the `workspace:` dependencies and devDependencies
 * @property {Record<string, unknown>} pkg the parsed package.json
 */

/** @param {string} root @returns {WorkspacePackage[]} */
export function workspacePackages(root) {
  /** @type {WorkspacePackage[]} */
  const found = [];
  for (const parent of PACKAGE_PARENTS) {
    const abs = join(root, parent);
    if (!existsSync(abs)) continue;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const file = join(abs, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      const deps = { ...pkg.dependencies, ...pkg.devDependencies };
      found.push({
        dir: `${parent}/${entry.name}`,
        name: pkg.name,
        job: parent.startsWith('jobs') ? entry.name : null,
        workspaceDeps: Object.keys(deps).filter((d) => String(deps[d]).startsWith('workspace:')),
        pkg,
      });
    }
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** @param {string} root */
export function workspaceJobs(root) {
  return workspacePackages(root).filter((p) => p.job !== null);
}
