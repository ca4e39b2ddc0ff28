import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { workspaceJobs } from '../../.github/scripts/lib/workspace.mjs';
import { copyPaths, envPairs, execForm, parseDockerfile } from '../../scripts/lib/dockerfile.mjs';

/** Dockerfile.<x> names at the root of `root`. */
export function dockerfileTargets(root: string): string[] {
  return readdirSync(root)
    .filter((f) => f.startsWith('Dockerfile.'))
    .map((f) => f.slice('Dockerfile.'.length))
    .sort();
}

/**
 * What is wrong with the images of a tree, one line each: a job without a Dockerfile, a
 * Dockerfile without a job, a COPY of a path that does not exist, and a job image that
 * strays from the shape of docs/deploy.md (build filter, deploy, ENV, USER, CMD).
 */
export function dockerfileProblems(root: string): string[] {
  const problems: string[] = [];
  const jobs = new Map(workspaceJobs(root).map((j) => [j.job as string, j]));
  const targets = dockerfileTargets(root);
  for (const job of jobs.keys())
    if (!targets.includes(job)) problems.push(`${jobs.get(job)!.dir}: no Dockerfile.${job}`);

  for (const target of targets) {
    const file = `Dockerfile.${target}`;
    const job = jobs.get(target);
    if (target !== 'migrate' && !job) {
      problems.push(`${file}: no job folder jobs/${target} or jobs/backfills/${target}`);
      continue;
    }
    const stages = parseDockerfile(readFileSync(join(root, file), 'utf8'));
    const final = stages.at(-1);
    if (!final) {
      problems.push(`${file}: no FROM`);
      continue;
    }
    for (const stage of stages) {
      for (const step of stage.steps.filter((s) => s.keyword === 'RUN')) {
        const pin = /npm (?:i|install) (?:-g|--global) pnpm@(\S+)/.exec(step.args)?.[1];
        const pinned = pinnedPnpm(root);
        if (pin !== undefined && pinned !== null && pin !== pinned) {
          problems.push(
            `${file}:${step.line}: installs pnpm@${pin}; package.json pins pnpm@${pinned} (packageManager)`,
          );
        }
      }
      const major = nvmrcMajor(root);
      if (
        !new RegExp(`^node:${major ?? '\\d+'}-[a-z]+-slim$`).test(stage.from) &&
        !stages.some((s) => s.name === stage.from)
      ) {
        problems.push(
          `${file}:${stage.line}: FROM ${stage.from} is not node:${major ? `${major}-<debian>-slim (.nvmrc)` : '<major>-<debian>-slim'}`,
        );
      }
      for (const step of stage.steps.filter((s) => s.keyword === 'COPY' && s.flags.from === undefined)) {
        for (const src of copyPaths(step).sources) {
          if (!existsSync(join(root, posix.normalize(`/${src}`))))
            problems.push(`${file}:${step.line}: COPY ${src}: no such path`);
        }
      }
    }
    const steps = (keyword: string) => final.steps.filter((s) => s.keyword === keyword);
    const user = steps('USER').at(-1)?.args;
    if (!user || user === 'root' || user === '0') problems.push(`${file}: the final stage must set a non-root USER`);
    const env = Object.assign({}, ...steps('ENV').map((s) => envPairs(s.args))) as Record<string, string>;
    const command = steps('ENTRYPOINT').at(-1) ?? steps('CMD').at(-1);
    if (!command || !execForm(command.args))
      problems.push(`${file}: the final stage needs CMD or ENTRYPOINT in exec form`);
    if (!job) continue;

    const name = job.name;
    const runs = stages.flatMap((s) => s.steps.filter((st) => st.keyword === 'RUN').map((st) => st.args)).join(' ');
    // `<pkg>...` also builds the workspace packages it bundles; a job whose tsconfig maps
    // @wxyc/* to their src needs no such build. The image tests prove either way.
    if (!new RegExp(`--filter "?${escapeRegExp(name)}(\\.\\.\\.)?"? build`).test(runs))
      problems.push(`${file}: build with pnpm --filter "${name}..." build`);
    if (!new RegExp(`--filter "?${escapeRegExp(name)}"? deploy --prod`).test(runs))
      problems.push(`${file}: ship with pnpm --filter ${name} deploy --prod --legacy`);
    if (env.DB_APPLICATION_NAME !== target) problems.push(`${file}: ENV DB_APPLICATION_NAME=${target} is missing`);
    if (!/^\d+$/.test(env.DB_STATEMENT_TIMEOUT_MS ?? ''))
      problems.push(`${file}: ENV DB_STATEMENT_TIMEOUT_MS=<ms> is missing`);
    const argv = command ? execForm(command.args) : null;
    const start = (job.pkg.scripts as Record<string, string> | undefined)?.start;
    if (argv && argv.join(' ') !== start)
      problems.push(`${file}: CMD ${argv.join(' ')} differs from ${job.dir}/package.json "start" (${start})`);
    if (!existsSync(join(root, job.dir, 'job.ts')))
      problems.push(`${file}: ${job.dir}/job.ts (the entry of dist/job.js) is missing`);
  }
  return problems;
}

/** The pnpm version of the root package.json's packageManager, without its hash; null without one. */
export function pinnedPnpm(root: string): string | null {
  const file = join(root, 'package.json');
  if (!existsSync(file)) return null;
  const spec = (JSON.parse(readFileSync(file, 'utf8')) as { packageManager?: string }).packageManager ?? '';
  return /^pnpm@([^+]+)/.exec(spec)?.[1] ?? null;
}

/** The Node major of the tree's .nvmrc (the one Node version of CI, images and contributors); null without one. */
export function nvmrcMajor(root: string): string | null {
  const file = join(root, '.nvmrc');
  if (!existsSync(file)) return null;
  return /^v?(\d+)/.exec(readFileSync(file, 'utf8').trim())?.[1] ?? null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
