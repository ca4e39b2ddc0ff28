#!/usr/bin/env node
// Replays a Dockerfile without Docker: each stage gets a folder standing for its `/`, COPY
// copies (the build context filtered by .dockerignore, or another stage's files), RUN runs
// on this machine with the stage's ENV in its WORKDIR, and the final stage's CMD can be
// started there. Proves the image ships every file its command needs; `docker build` of the
// same file works unchanged where an engine exists.
//
//   node scripts/image-build.mjs Dockerfile.<x> [--context DIR] [--out DIR] [--run [-e K=V]... [-- ARG...]]
//
// Host stand-ins: `FROM node:<major>-...` requires this node's major; `npm i -g pnpm@<v>`
// installs that version into the stage's /usr/local (first on PATH for later RUN steps), or
// uses this machine's when it is the same version (nothing is installed on the host). In RUN, absolute paths outside
// the usual system folders (/out, /repo, ...) are moved under the stage's folder.
// Anything else the subset does not cover (ADD, ARG, shell-form CMD, ...) fails loudly.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { copyPaths, envPairs, execForm, parseDockerfile } from './lib/dockerfile.mjs';

// CommonJS (module.exports = factory) whose types claim a default export: load it as such.
/** @type {(options?: { ignorecase?: boolean }) => import('@balena/dockerignore').Ignore} */
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore');

const SYSTEM_DIRS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'media',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
]);

/**
 * @typedef {object} BuiltImage
 * @property {string} root      the final stage's `/`
 * @property {string} workdir   its WORKDIR (container path)
 * @property {Record<string, string>} env
 * @property {string | null} user
 * @property {string[]} entrypoint
 * @property {string[]} cmd
 */

/** A container path inside a stage folder. @param {string} root @param {string} path */
const inRoot = (root, path) => join(root, posix.resolve('/', path));

/** Moves non-system absolute paths of a shell command under the stage folder. @param {string} command @param {string} root */
export function mapAbsolutePaths(command, root) {
  return command.replace(/(^|[\s=:'"(])(\/([A-Za-z0-9._@+-]+)[^\s;&|'")]*)/g, (all, lead, path, first) =>
    SYSTEM_DIRS.has(first) ? all : `${lead}${join(root, path)}`,
  );
}

/** @param {string} context @returns {(rel: string) => boolean} true when the file goes into the context */
function contextFilter(context) {
  const file = join(context, '.dockerignore');
  const ig = dockerignore().add(existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []);
  return (rel) => rel === '' || !ig.ignores(rel);
}

/**
 * Copies like COPY: a folder's contents into dest, a file to dest (or into it when dest ends in /).
 * @param {string} from absolute source @param {string} to absolute dest @param {boolean} destIsDir
 * @param {(src: string) => boolean} [keep]
 */
function copyLikeDocker(from, to, destIsDir, keep = () => true) {
  if (!existsSync(from) && !isLink(from)) throw new Error(`COPY source ${from} does not exist`);
  const target = lstatSync(from).isDirectory() ? to : destIsDir ? join(to, basename(from)) : to;
  mkdirSync(lstatSync(from).isDirectory() ? target : dirname(target), { recursive: true });
  cpSync(from, target, { recursive: true, verbatimSymlinks: true, filter: keep });
}

/** @param {string} path */
function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Copies the build context (what `COPY . .` sees) to `dest`. @param {string} context @param {string} dest */
export function copyBuildContext(context, dest) {
  const keep = contextFilter(context);
  cpSync(context, dest, { recursive: true, verbatimSymlinks: true, filter: (p) => keep(relative(context, p)) });
}

/** @param {string} cmd @param {string[]} args */
function hostOutput(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Builds the image into `out` (a new temp folder by default).
 * @param {{ dockerfile: string, context?: string, out?: string, log?: (line: string) => void }} options
 * @returns {Promise<BuiltImage>}
 */
export async function buildImage({ dockerfile, context = dirname(resolve(dockerfile)), out, log = () => {} }) {
  const ctx = resolve(context);
  const dest = out ?? mkdtempSync(join(tmpdir(), 'image-build-'));
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const keepFromContext = contextFilter(ctx);
  /** @type {Map<string, string>} stage name or index -> its folder */
  const roots = new Map();
  /** @type {BuiltImage | null} */
  let image = null;
  const where = (/** @type {number} */ line) => `${dockerfile}:${line}`;

  for (const [index, stage] of stages.entries()) {
    const root = join(dest, `stage-${index}`);
    mkdirSync(root, { recursive: true });
    roots.set(String(index), root);
    if (stage.name) roots.set(stage.name, root);
    const major = /^node:(\d+)(-|$)/.exec(stage.from)?.[1];
    if (major !== process.versions.node.split('.')[0]) {
      throw new Error(
        `${where(stage.line)}: FROM ${stage.from}: image-build stands in this node ${process.version} for node:<major> images only`,
      );
    }
    /** @type {BuiltImage} */
    const state = { root, workdir: '/', env: {}, user: null, entrypoint: [], cmd: [] };
    for (const step of stage.steps) {
      const at = where(step.line);
      switch (step.keyword) {
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, step.args);
          mkdirSync(inRoot(root, state.workdir), { recursive: true });
          break;
        case 'ENV':
          if (step.args.includes('$')) throw new Error(`${at}: ENV with $ expansion is not supported`);
          Object.assign(state.env, envPairs(step.args));
          break;
        case 'USER':
          state.user = step.args;
          break;
        case 'CMD':
        case 'ENTRYPOINT': {
          const argv = execForm(step.args);
          if (!argv) throw new Error(`${at}: ${step.keyword} must use the exec form ["node", "..."]`);
          if (step.keyword === 'CMD') state.cmd = argv;
          else state.entrypoint = argv;
          break;
        }
        case 'COPY': {
          const { sources, dest: to } = copyPaths(step);
          const toAbs = inRoot(root, posix.resolve(state.workdir, to));
          const destIsDir = to.endsWith('/') || to === '.' || sources.length > 1;
          const fromStage = step.flags.from;
          for (const src of sources) {
            if (/[*?[]/.test(src)) throw new Error(`${at}: COPY wildcards are not supported`);
            if (fromStage !== undefined) {
              const other = roots.get(fromStage);
              if (!other || other === root)
                throw new Error(`${at}: COPY --from=${fromStage}: no earlier stage of that name`);
              copyLikeDocker(inRoot(other, src), toAbs, destIsDir);
            } else {
              const abs = join(ctx, posix.normalize(`/${src}`));
              copyLikeDocker(abs, toAbs, destIsDir, (p) => keepFromContext(relative(ctx, p)));
            }
          }
          break;
        }
        case 'RUN':
          await runStep(step.args, state, at, log);
          break;
        case 'LABEL':
        case 'EXPOSE':
          break;
        default:
          throw new Error(`${at}: image-build does not interpret ${step.keyword}`);
      }
    }
    image = state;
  }
  if (!image) throw new Error(`${dockerfile}: no FROM`);
  return image;
}

/** @param {string} command @param {BuiltImage} state @param {string} at @param {(line: string) => void} log */
async function runStep(command, state, at, log) {
  const globalInstall = /^npm (?:i|install) (?:-g|--global) (\S+?)@(\S+)$/.exec(command.trim());
  const stageBin = inRoot(state.root, '/usr/local/bin');
  const env = { ...process.env, ...state.env, PATH: `${stageBin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  if (globalInstall) {
    const [, tool = '', version = ''] = globalInstall;
    if (hostOutput(tool, ['--version']) === version) {
      log(`${at}: ${tool} ${version} (this machine's)`);
      return;
    }
    log(`${at}: RUN npm i -g ${tool}@${version} (into the stage's /usr/local)`);
    const prefix = inRoot(state.root, '/usr/local');
    const r = await runProcess(
      ['npm', 'install', '--global', '--prefix', prefix, '--no-fund', '--no-audit', `${tool}@${version}`],
      { cwd: state.root, env },
    );
    if (r.code !== 0)
      throw new Error(
        `${at}: npm i -g ${tool}@${version} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`,
      );
    return;
  }
  if (execForm(command)) throw new Error(`${at}: RUN exec form is not supported`);
  const mapped = mapAbsolutePaths(command, state.root);
  log(`${at}: RUN ${command}`);
  const r = await runProcess(['sh', '-c', mapped], { cwd: inRoot(state.root, state.workdir), env });
  if (r.code !== 0) throw new Error(`${at}: RUN failed (exit ${r.code}): ${command}\n${r.stdout}${r.stderr}`);
}

/**
 * Starts the image's command like `docker run IMAGE [ARG...]`: args replace CMD (after any
 * ENTRYPOINT); the environment is the image's ENV plus `env` and a PATH, nothing else of this
 * process. Resolves with the exit code and output.
 * @param {BuiltImage} image
 * @param {{ args?: string[], env?: Record<string, string>, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string }>}
 */
export function startImage(image, { args = [], env = {}, timeoutMs = 60_000 } = {}) {
  const argv = [...image.entrypoint, ...(args.length ? args : image.cmd)];
  if (argv.length === 0) throw new Error('the image has no CMD or ENTRYPOINT');
  const cwd = inRoot(image.root, image.workdir);
  for (let dir = dirname(image.root); dir !== dirname(dir); dir = dirname(dir)) {
    // A node_modules above the image would let a missing package resolve: refuse.
    if (existsSync(join(dir, 'node_modules')))
      throw new Error(`${dir}/node_modules exists: build the image elsewhere (--out)`);
  }
  const fullEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...image.env, ...env };
  return runProcess(argv, { cwd, env: fullEnv, timeoutMs });
}

/**
 * @param {string[]} argv @param {{ cwd: string, env: NodeJS.ProcessEnv, timeoutMs?: number }} options
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string }>}
 */
function runProcess(argv, { cwd, env, timeoutMs }) {
  return new Promise((done, fail) => {
    const child = spawn(/** @type {string} */ (argv[0]), argv.slice(1), {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** The command line: `image-build.mjs Dockerfile.<x> [--context DIR] [--out DIR] [--run [-e K=V]... [-- ARG...]]`. */
const SPEC = /** @type {const} */ ({
  command: 'node scripts/image-build.mjs',
  summary: 'Replays a Dockerfile without Docker (each stage in a folder) and can start the image it built.',
  positionals: {
    usage: 'Dockerfile.<x> [-- ARG...]',
    min: 1,
    max: 1,
    description: 'the Dockerfile; after --, the arguments for --run',
  },
  options: {
    context: { type: 'string', value: 'DIR', description: 'the build context (default: the repository)' },
    out: { type: 'string', value: 'DIR', description: 'where the stages are built (default: a new temp folder)' },
    run: { type: 'boolean', description: "start the image's command in its folder after the build" },
    env: {
      type: 'string',
      short: 'e',
      value: 'K[=V]',
      multiple: true,
      description: "an env var for --run (K alone: this shell's value)",
    },
  },
  notes:
    "Exit codes: 0 built, 1 the build failed, 2 bad arguments; with --run, the command's own exit code. docs/deploy.md has examples.",
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  (await import('./lib/build-state.mjs')).buildIfStale(root, ['@wxyc/job-runtime'], 'image-build');
  const { readArgs } = await import('@wxyc/job-runtime');
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const args = readArgs(SPEC, dash < 0 ? argv : argv.slice(0, dash), 'image-build');
  const runArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const dockerfile = /** @type {string} */ (args.positionals[0]);
  try {
    const image = await buildImage({
      dockerfile,
      context: args.values.context,
      out: args.values.out,
      log: (l) => console.error(l),
    });
    console.log(
      `built ${dockerfile}: ${image.root} (workdir ${image.workdir}, user ${image.user ?? 'root'}, cmd ${JSON.stringify([...image.entrypoint, ...image.cmd])})`,
    );
    if (args.values.run) {
      /** @type {Record<string, string>} */
      const env = {};
      for (const pair of args.values.env ?? []) {
        const [k = '', ...v] = pair.split('=');
        env[k] = v.length ? v.join('=') : (process.env[k] ?? '');
      }
      const r = await startImage(image, { args: runArgs, env, timeoutMs: 10 * 60_000 });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exit(r.code ?? 1);
    }
  } catch (err) {
    console.error(`image-build: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
