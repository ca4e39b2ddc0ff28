// The two build shapes of this repo, so each package's tsup.config.ts is one line.
import { defineConfig, type Options } from 'tsup';

const common: Options = {
  format: ['esm'],
  target: 'node22',
  clean: true,
  sourcemap: true,
  esbuildOptions(o) {
    // Maps without the sources inlined: stack traces need the mappings only, and the bundled
    // Sentry SDK made each job's maps ~5 MB, most of the build's time (docs/testing.md).
    o.sourcesContent = false;
  },
};

/** A job: one bundle, dist/job.js. The @wxyc/* packages are bundled in; npm deps (postgres,
 *  mysql2) are left external and shipped by `pnpm deploy --prod` (docs/conventions.md). */
export const jobTsupConfig = defineConfig({ ...common, entry: ['job.ts'], platform: 'node', noExternal: [/^@wxyc\//] });

/** A shared package: dist/index.js, no .d.ts. Every package is private and nothing reads built
 *  declarations: the root tsconfig maps @wxyc/* to src, and each package.json's exports "types"
 *  points at src/index.ts for editors and per-package tsconfigs. (Declarations were most of the
 *  build time: docs/testing.md.) */
export const packageTsupConfig = defineConfig({ ...common, entry: ['src/index.ts'] });
