// `pnpm build` (scripts/build.ts): its arguments, and its build process (scripts/lib/tsup-worker.mjs)
// for real: a package's own tsup config is what builds it, a package that does not compile is
// answered as failed with the compiler's first line (the process goes on to the next package).
import { spawn, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = join(ROOT, 'scripts/lib/tsup-worker.mjs');
const box = mkdtempSync(join(tmpdir(), 'wxyc-build-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

function pkg(name: string, source: string, config: string): string {
  const dir = join(box, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', private: true }));
  writeFileSync(join(dir, 'src/index.ts'), source);
  writeFileSync(join(dir, 'tsup.config.ts'), config);
  return dir;
}

function runBuild(args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/build.ts', ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

interface Reply {
  dir: string;
  ok: boolean;
  error?: string;
}

it('the worker builds each folder with its own tsup config, one after another, and reports a failure without stopping', async () => {
  // tsup is resolved from the repo: the configs import it through the repo's node_modules
  const cfg = (out: string) =>
    `import { defineConfig } from '${join(ROOT, 'node_modules/tsup/dist/index.js').replace(/\\/g, '/')}';\n` +
    `export default defineConfig({ entry: ['src/index.ts'], format: ['esm'], outDir: '${out}' });\n`;
  const good = pkg('good', 'export const answer: number = 42;\n', cfg('out'));
  const bad = pkg('bad', 'export const broken = ;\n', cfg('dist'));
  const other = pkg('other', 'export const other = "x" as string;\n', cfg('lib'));
  const worker = fork(WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: ['--import', 'tsx'] });
  const replies: Reply[] = [];
  const queue = [good, bad, other];
  await new Promise<void>((resolve) => {
    worker.on('message', (r: Reply) => {
      replies.push(r);
      const next = queue.shift();
      if (next) worker.send(next);
      else worker.disconnect();
    });
    worker.on('exit', () => resolve());
    worker.send(queue.shift() as string);
  });
  expect(
    replies.map((r) => [r.dir, r.ok]),
    JSON.stringify(replies),
  ).toEqual([
    [good, true],
    [bad, false],
    [other, true],
  ]);
  expect(replies[1]?.error).toMatch(/Build failed|Unexpected/);
  // each package's own outDir, relative to its own folder (not the first package's, nor the repo's)
  expect(readFileSync(join(good, 'out/index.js'), 'utf8')).toContain('42');
  expect(existsSync(join(other, 'lib/index.js'))).toBe(true);
  expect(existsSync(join(bad, 'dist/index.js'))).toBe(false);
});

it('the worker refuses to run by hand', async () => {
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [WORKER]);
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, err }));
  });
  expect(r.code).toBe(2);
  expect(r.err.trim()).toBe('tsup-worker.mjs is started by scripts/build.ts (pnpm build), not by hand');
});

it('pnpm build: --help, an unknown package or flag, a bad --processes: one line, exit 2, nothing built', async () => {
  const help = await runBuild(['--help']);
  expect(help.code).toBe(0);
  expect(help.out.startsWith('usage: pnpm build [--processes N] [PACKAGE...]')).toBe(true);
  for (const [args, line] of [
    [
      ['--nope'],
      '[build] error: unknown argument "--nope"; usage: pnpm build [--processes N] [PACKAGE...] (--help for details)',
    ],
    [
      ['@wxyc/nope'],
      '[build] error: no package "@wxyc/nope" with a tsup.config.ts (names: @wxyc/ops; folders: shared/ops)',
    ],
    [['--processes', '1.5'], '[build] error: --processes must be a whole number from 1 to 64 (got 1.5)'],
  ] as const) {
    const r = await runBuild([...args]);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toBe(line);
    expect(r.out).toBe('');
  }
});

it('pnpm build <name> <folder> builds those two with one process each', async () => {
  const r = await runBuild(['@wxyc/job-runtime', 'shared/k8s']);
  expect(r.code, r.err).toBe(0);
  expect(r.out.trim().split('\n').at(-1)).toMatch(/^\[build\] built 2 packages in [\d.]+ s with [12] processes$/);
  expect(r.out).toMatch(/^\[build\] @wxyc\/job-runtime \([\d.]+ s\)$/m);
  expect(r.out).toMatch(/^\[build\] @wxyc\/k8s \([\d.]+ s\)$/m);
});
