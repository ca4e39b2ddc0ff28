import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['job.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  noExternal: [/^@wxyc\//],
  clean: true,
  sourcemap: true,
});
