import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// src/paths.ts sits beside src/migrations; the built dist/index.js sits one level over.
const candidates = ['./migrations/', '../src/migrations/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** The migrations folder, in either layout (env MIGRATIONS_DIR overrides). */
export const MIGRATIONS_DIR: string =
  process.env.MIGRATIONS_DIR || candidates.find((dir) => existsSync(dir)) || candidates[0]!;
