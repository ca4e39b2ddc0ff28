// Where tests get their legacy MySQL (MariaDB), in this order:
//   1. TEST_MYSQL_URL (a URL of a user that may create and drop databases)
//   2. testcontainers (mariadb:10.11), when a Docker engine answers
//   3. the local MariaDB at 127.0.0.1:3306 as root without password, if it answers within a second
// None: outside CI the MySQL tests are skipped with a visible message; with CI=true that is a failure.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mysql, { type Connection } from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { dockerEngineAnswers } from './pg-server.js';
import { withDatabase } from './urls.js';

export interface MysqlServer {
  /** URL without a database, of a user that may create databases. */
  url: string;
  kind: 'env' | 'testcontainers' | 'local';
  stop(): Promise<void>;
}

const LOCAL_URL = 'mysql://root@127.0.0.1:3306/';

async function answers(url: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Finds a server for this test file, or returns null after saying why (throws under CI=true). */
export async function findMysqlServer(): Promise<MysqlServer | null> {
  if (process.env.TEST_MYSQL_URL) return { url: process.env.TEST_MYSQL_URL, kind: 'env', stop: async () => {} };
  if (await dockerEngineAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('mariadb:10.11')
      .withEnvironment({ MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1' })
      .withExposedPorts(3306)
      .withWaitStrategy(Wait.forLogMessage(/ready for connections/, 2))
      .start();
    return {
      url: `mysql://root@${c.getHost()}:${c.getMappedPort(3306)}/`,
      kind: 'testcontainers',
      stop: async () => void (await c.stop()),
    };
  }
  if (await answers(LOCAL_URL)) return { url: LOCAL_URL, kind: 'local', stop: async () => {} };
  const why =
    'no MySQL for the legacy-source tests: set TEST_MYSQL_URL, start Docker, or run MariaDB on 127.0.0.1:3306 (root, no password)';
  if (process.env.CI === 'true') throw new Error(`${why}. Under CI=true this is a failure.`);
  console.warn(`\n[mysql] SKIPPING the legacy MySQL tests of this file: ${why}.\n`);
  return null;
}

export interface LegacyTestDatabase {
  name: string;
  /** mysql:// URL of this file's database. */
  url: string;
  /** A connection to it that accepts several statements at once. */
  conn: Connection;
  /** Runs a .sql file (or SQL text) of several statements. */
  exec(sqlText: string): Promise<void>;
  execFile(path: string): Promise<void>;
}

/** This file's own MySQL database (random name) on the server, created before its tests and dropped after. */
export function useLegacyDatabase(server: MysqlServer | null, ddlFiles: string[] = []): LegacyTestDatabase {
  let db: { name: string; url: string; conn: Connection } | undefined;
  beforeAll(async () => {
    if (!server) return;
    const name = `legacy_test_${randomBytes(6).toString('hex')}`;
    const admin = await mysql.createConnection({ uri: server.url });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8`);
    await admin.end();
    const url = withDatabase(server.url, name);
    const conn = await mysql.createConnection({ uri: url, multipleStatements: true, charset: 'utf8mb4' });
    db = { name, url, conn };
    for (const f of ddlFiles) await conn.query(readFileSync(f, 'utf8'));
  });
  afterAll(async () => {
    if (!server) return;
    if (db) {
      await db.conn.query(`DROP DATABASE IF EXISTS \`${db.name}\``);
      await db.conn.end();
    }
    await server.stop();
  });
  const get = () => {
    if (!db) throw new Error('useLegacyDatabase(): use it inside a test or hook of a file whose server was found');
    return db;
  };
  return {
    get name() {
      return get().name;
    },
    get url() {
      return get().url;
    },
    get conn() {
      return get().conn;
    },
    async exec(sqlText: string) {
      await get().conn.query(sqlText);
    },
    async execFile(path: string) {
      await get().conn.query(readFileSync(path, 'utf8'));
    },
  };
}

/** The repo's legacy DDL and seed files. */
export const LEGACY_FLOWSHEET_DDL = new URL('../../dev_env/legacy/flowsheet.sql', import.meta.url).pathname;
export const LEGACY_FLOWSHEET_SEED = new URL('../../dev_env/legacy/flowsheet-seed.sql', import.meta.url).pathname;
export const LEGACY_LIBRARY_DDL = new URL('../../dev_env/legacy/library.sql', import.meta.url).pathname;
export const LEGACY_LIBRARY_SEED = new URL('../../dev_env/legacy/library-seed.sql', import.meta.url).pathname;
export const LEGACY_ROTATION_DDL = new URL('../../dev_env/legacy/rotation.sql', import.meta.url).pathname;
export const LEGACY_ROTATION_SEED = new URL('../../dev_env/legacy/rotation-seed.sql', import.meta.url).pathname;
