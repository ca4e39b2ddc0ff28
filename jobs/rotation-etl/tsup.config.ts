import { defineConfig } from 'tsup';

// The workspace packages are bundled; npm deps (postgres, mysql2) come from `pnpm deploy --prod`.
export default defineConfig({
  entry: ['job.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  noExternal: [/^@wxyc\//],
  clean: true,
  sourcemap: true,
});
