import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { withDatabase } from './urls.js';

export interface TestDatabase {
  name: string;
  url: string;
  /** A client on the test database (closed by drop()). */
  sql: Sql;
  drop(): Promise<void>;
}

export type Start = 'head' | 'empty';

/** A fresh database on the harness server: a clone of the migrated template, or empty. */
export async function createTestDatabase(start: Start = 'head'): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `wxyc_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(
      start === 'head' ? `CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplateHead')}` : `CREATE DATABASE ${name}`,
    );
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** One database for the whole test file, created before its tests and dropped after. */
export function useTestDatabase(start: Start = 'head'): TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(start);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const get = (): TestDatabase => {
    if (!db) throw new Error('useTestDatabase(): use it inside a test or hook');
    return db;
  };
  return {
    get name() {
      return get().name;
    },
    get url() {
      return get().url;
    },
    get sql() {
      return get().sql;
    },
    drop: () => get().drop(),
  };
}
