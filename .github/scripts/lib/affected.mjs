// Which deploy targets a set of changed files touches. Pure: the caller lists the files.

/** Root files every image is built from: a change redeploys everything. */
const EVERYTHING = new Set(['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json', '.dockerignore']);

/**
 * @param {string[]} files changed paths relative to the repo root
 * @param {import('./workspace.mjs').WorkspacePackage[]} packages
 * @returns {{ jobs: string[], migrate: boolean }} jobs by deploy name (sorted); migrate: run
 *   migrations first (they are no-ops when none is pending, so any shared/ change counts)
 */
export function affectedTargets(files, packages) {
  const changed = new Set();
  let all = false;
  let migrate = false;
  for (const file of files) {
    if (EVERYTHING.has(file)) all = true;
    if (file.startsWith('shared/') || file.startsWith('dev_env/') || file === 'Dockerfile.migrate') migrate = true;
    const dockerfileOf = file.startsWith('Dockerfile.') ? file.slice('Dockerfile.'.length) : null;
    for (const p of packages) {
      if (file.startsWith(`${p.dir}/`) || (p.job !== null && p.job === dockerfileOf)) changed.add(p.name);
    }
  }
  // A package is affected when it changed or one of its workspace deps is (transitively).
  const byName = new Map(packages.map((p) => [p.name, p]));
  /** @type {Map<string, boolean>} */
  const memo = new Map();
  /** @param {string} name @param {Set<string>} seen @returns {boolean} */
  const affected = (name, seen = new Set()) => {
    if (all || changed.has(name)) return true;
    if (memo.has(name)) return /** @type {boolean} */ (memo.get(name));
    if (seen.has(name)) return false; // a cycle: pnpm refuses those anyway
    seen.add(name);
    const result = (byName.get(name)?.workspaceDeps ?? []).some((d) => affected(d, seen));
    memo.set(name, result);
    return result;
  };
  const jobs = packages.filter((p) => p.job !== null && affected(p.name)).map((p) => /** @type {string} */ (p.job));
  return { jobs: [...new Set(jobs)].sort(), migrate: migrate || all || jobs.length > 0 };
}
