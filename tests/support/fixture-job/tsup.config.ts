import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['job.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  noExternal: [/^@wxyc\//],
  clean: true,
  sourcemap: true,
});
