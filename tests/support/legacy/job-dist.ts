// Runs a job from its built dist/job.js as a child process, the way the container does.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Builds the job when its dist is missing or older than any source it bundles (its own .ts and
 * shared/<pkg>/src: the job's tsconfig points tsup at the shared sources). On a clean clone
 * .ci/run has built it already. Call from ONE test file per job: tsup cleans dist/ first.
 */
export function ensureJobBuilt(pkgDir: string, pkgName: string): string {
  const entry = `${root}${pkgDir}/dist/job.js`;
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  const shared = readdirSync(`${root}shared`).map((d) => `${root}shared/${d}/src`);
  if (built === 0 || newestSource([`${root}${pkgDir}/src`, `${root}${pkgDir}/job.ts`, ...shared]) > built) {
    execFileSync('pnpm', ['--filter', pkgName, 'build'], { cwd: root, stdio: 'pipe' });
  }
  return entry;
}

function newestSource(paths: string[]): number {
  let newest = 0;
  for (const p of paths.filter((x) => existsSync(x))) {
    const files = statSync(p).isDirectory()
      ? readdirSync(p, { recursive: true, encoding: 'utf8' }).map((f) => `${p}/${f}`)
      : [p];
    for (const f of files) if (f.endsWith('.ts')) newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

/** A running job process; `done` resolves when it exits. */
export function startJob(
  entry: string,
  args: string[],
  env: Record<string, string>,
): { pid: number; done: Promise<ProcessResult>; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<ProcessResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, done, kill: (sig) => child.kill(sig) };
}

export function runJobProcess(entry: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return startJob(entry, args, env).done;
}
