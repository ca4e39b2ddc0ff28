// `pnpm build`: every workspace package's own tsup build (its tsup.config.ts, unchanged) in a few
// long-lived processes that take packages from one queue, instead of one pnpm + node + tsup start
// per package: those starts cost more CPU than the ~18 builds themselves (docs/testing.md has the
// figures). No package reads another's dist (jobs bundle @wxyc/* from source via tsconfig paths),
// so any order is right. Run by tsx so that it parses its arguments with the one parser.
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArgs } from '../shared/job-runtime/src/args.js';
import { type BuildablePackage, buildablePackages } from './lib/build-state.mjs';

const SPEC = {
  command: 'pnpm build',
  summary: 'Builds the workspace packages with tsup (all of them, or the ones named), a few at a time in one queue.',
  positionals: {
    usage: '[PACKAGE...]',
    max: 100,
    description: 'package names (@wxyc/ops) or folders (shared/ops); default: every package with a tsup.config.ts',
  },
  options: {
    processes: { type: 'string', value: 'N', description: 'build processes (default: the CPU count, at most 4)' },
  },
  notes: 'Exit codes: 0 built, 1 a build failed (its error is printed above the last line), 2 bad arguments.',
} as const;

interface Reply {
  dir: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const repo = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./lib/tsup-worker.mjs', import.meta.url));

function usage(message: string): never {
  process.stderr.write(`[build] error: ${message}\n`);
  process.exit(2);
}

function chosen(all: BuildablePackage[], wanted: string[]): BuildablePackage[] {
  if (wanted.length === 0) return all;
  return wanted.map((w) => {
    const p = all.find((x) => x.name === w || relative(repo, x.dir) === w.replace(/\/+$/, ''));
    return p ?? usage(`no package ${JSON.stringify(w)} with a tsup.config.ts (names: @wxyc/ops; folders: shared/ops)`);
  });
}

function processCount(raw: string | undefined, packages: number): number {
  const n = raw === undefined ? Math.min(availableParallelism(), 4) : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) usage(`--processes must be a whole number from 1 to 64 (got ${raw})`);
  return Math.max(1, Math.min(n, packages));
}

/** Feeds the queue to one worker until it is empty; resolves with the worker's replies. */
function drain(worker: ChildProcess, queue: BuildablePackage[], onReply: (r: Reply) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = () => {
      const p = queue.shift();
      if (p) worker.send(p.dir);
      else worker.disconnect();
    };
    worker.on('message', (r: Reply) => {
      onReply(r);
      next();
    });
    worker.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`a build process ended with ${signal ?? `exit ${code}`}`)),
    );
    next();
  });
}

const args = readArgs(SPEC, process.argv.slice(2), 'build');
const all = buildablePackages(repo);
const packages = chosen(all, args.positionals);
const queue = [...packages];
const n = processCount(args.values.processes, packages.length);
const started = performance.now();
const failed: Reply[] = [];
const nameOf = (dir: string) => all.find((p) => p.dir === dir)?.name ?? dir;
const workers = Array.from({ length: n }, () =>
  fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--import', 'tsx'] }),
);
try {
  await Promise.all(
    workers.map((w) =>
      drain(w, queue, (r) => {
        if (r.ok) console.log(`[build] ${nameOf(r.dir)} (${(r.ms / 1000).toFixed(1)} s)`);
        else failed.push(r);
      }),
    ),
  );
} catch (err) {
  for (const w of workers) w.kill();
  process.stderr.write(`[build] error: ${(err as Error).message}\n`);
  process.exit(1);
}
const secs = ((performance.now() - started) / 1000).toFixed(1);
for (const f of failed) process.stderr.write(`[build] ${nameOf(f.dir)} failed: ${f.error}\n`);
if (failed.length) {
  process.stderr.write(`[build] error: ${failed.length} of ${packages.length} packages failed to build (${secs} s)\n`);
  process.exit(1);
}
console.log(
  `[build] built ${packages.length} package${packages.length === 1 ? '' : 's'} in ${secs} s with ${n} processes`,
);
