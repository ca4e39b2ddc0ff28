// Runs a job from its built dist/job.js as a child process, the way the container does.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Builds the job when its dist is missing (a clean clone; .ci/run builds everything before the
 * tests). With the shared packages' dist missing too, builds them first (tsup bundles their dist).
 */
export function ensureJobBuilt(pkgDir: string, pkgName: string): string {
  const entry = `${root}${pkgDir}/dist/job.js`;
  if (existsSync(entry)) return entry;
  const sharedBuilt = existsSync(`${root}shared/legacy-etl/dist/index.js`) && existsSync(`${root}shared/database/dist/index.js`) && existsSync(`${root}shared/job-runtime/dist/index.js`);
  execFileSync('pnpm', ['--filter', sharedBuilt ? pkgName : `${pkgName}...`, 'build'], { cwd: root, stdio: 'pipe' });
  return entry;
}

/** A running job process; `done` resolves when it exits. */
export function startJob(entry: string, args: string[], env: Record<string, string>): { pid: number; done: Promise<ProcessResult>; kill(sig: NodeJS.Signals): void } {
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
