// Which deploy targets a set of changed files touches. Pure: the caller lists the files.
//
// Every image is built from the whole repo (`COPY . .` minus .dockerignore), so a file changes
// an image unless it is known not to. Fail safe: a root file or top-level folder this module does
// not know deploys every job (a redeploy of an unchanged image costs minutes; a missed one ships
// stale code).

/** Root build inputs of every image: a change redeploys every job. */
export const BUILD_INPUTS = [
  'package.json', // the workspace's devDependencies (tsup, typescript) and scripts
  'pnpm-lock.yaml', // every resolved version
  'pnpm-workspace.yaml', // which packages exist, allowed build scripts
  'tsconfig.base.json', // extended by every package's tsconfig.json (tsup reads it)
  'tsup.base.ts', // imported by every package's tsup.config.ts: the bundle's shape
  '.dockerignore', // what the build context holds
  '.npmrc', // install settings
  '.pnpmfile.cjs', // install hooks
];

/** Root files that no image build reads. */
export const NOT_IN_IMAGES = [
  'README.md',
  'LICENSE',
  '.gitignore',
  '.gitattributes',
  '.editorconfig',
  'tsconfig.json',
  'vitest.config.ts',
];

/** Top-level folders that no job image is built from (dev_env is the migrate image's; see below). */
export const FOLDERS_NOT_IN_JOB_IMAGES = ['docs', 'tests', 'bench', 'scripts', '.github', '.ci', 'dev_env'];

/** Top-level folders handled by package: jobs/<job>, jobs/backfills/<job>, shared/<pkg>. */
const PACKAGE_FOLDERS = ['jobs', 'shared'];

/** Does this changed file change every image? @param {string} file */
export function changesEveryImage(file) {
  const slash = file.indexOf('/');
  if (slash === -1) {
    if (file.startsWith('Dockerfile.')) return false; // one image each: handled per job
    return BUILD_INPUTS.includes(file) || !NOT_IN_IMAGES.includes(file);
  }
  const top = file.slice(0, slash);
  return !FOLDERS_NOT_IN_JOB_IMAGES.includes(top) && !PACKAGE_FOLDERS.includes(top);
}

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
    if (changesEveryImage(file)) all = true;
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
