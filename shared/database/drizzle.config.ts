import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads the same journal the guarded runner applies (dev_env/init-db.mjs).
// Never use `drizzle-kit migrate` or `push` against a shared database: the runner is the
// only thing that applies migrations (docs/migrations.md).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './src/migrations',
  schemaFilter: ['public', 'wxyc_schema'],
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost:5432/wxyc' },
});
