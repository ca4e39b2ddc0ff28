import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startPgServer } from './pg-server.js';
import { migrateWithDrizzle } from './drizzle-migrate.js';
import { withDatabase } from './urls.js';
import { buildIfStale } from './build-if-stale.js';
import { fileURLToPath } from 'node:url';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateHead: string;
  }
}

/** One server per test run; one migrated template that each test file clones in milliseconds. */
export default async function setup(project: TestProject) {
  const started = Date.now();
  buildIfStale(fileURLToPath(new URL('../../', import.meta.url)));
  const server = await startPgServer();
  const template = `wxyc_template_${process.pid}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
    await admin.unsafe(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await migrateWithDrizzle(withDatabase(server.url, template));
  console.log(`[harness] PostgreSQL from ${server.kind}, template migrated in ${Date.now() - started} ms`);
  project.provide('pgAdminUrl', server.url);
  project.provide('pgTemplateHead', template);

  return async () => {
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await sql.end();
    }
    await server.stop();
  };
}
