// The two build shapes of this repo, so each package's tsup.config.ts is one line.
import { defineConfig, type Options } from 'tsup';

const common: Options = { format: ['esm'], target: 'node22', clean: true, sourcemap: true };

/** A job: one bundle, dist/job.js. The @wxyc/* packages are bundled in; npm deps (postgres,
 *  mysql2) are left external and shipped by `pnpm deploy --prod` (docs/conventions.md). */
export const jobTsupConfig = defineConfig({ ...common, entry: ['job.ts'], platform: 'node', noExternal: [/^@wxyc\//] });

/** A shared package: dist/index.js with its type declarations. */
export const packageTsupConfig = defineConfig({ ...common, entry: ['src/index.ts'], dts: true });
