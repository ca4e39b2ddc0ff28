#!/usr/bin/env node
// pnpm dev:stop: stops the local PostgreSQL that `pnpm dev` started. Data stays in .dev-db/.
import { DEV_DIR, ensureBuilt } from './local-stack.mjs';

ensureBuilt('local-postgres');
const { stopDetachedPostgres } = await import('@wxyc/local-postgres');
console.log((await stopDetachedPostgres(DEV_DIR)) ? '[dev] local PostgreSQL stopped.' : '[dev] local PostgreSQL was not running.');
