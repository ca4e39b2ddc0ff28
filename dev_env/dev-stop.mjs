#!/usr/bin/env node
// pnpm dev:stop: stops the local PostgreSQL that `pnpm dev` started. Data stays in .dev-db/.
import { DEV_DIR, STACK_ENV, ensureBuilt, readScriptArgs } from './local-stack.mjs';

await readScriptArgs(
  {
    command: 'pnpm dev:stop',
    summary: 'Stops the local PostgreSQL `pnpm dev` started (fast shutdown); its data stays in .dev-db/.',
    env: STACK_ENV,
  },
  'dev',
);
ensureBuilt('local-postgres');
const { stopDetachedPostgres } = await import('@wxyc/local-postgres');
console.log(
  (await stopDetachedPostgres(DEV_DIR)) ? '[dev] local PostgreSQL stopped.' : '[dev] local PostgreSQL was not running.',
);
