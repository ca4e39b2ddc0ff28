import { defineConfig } from 'tsup';

// No .d.ts: nothing imports the built package (tests use src), and `pnpm lint:migrations`
// rebuilds it on every run, so the build must stay well under a second.
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node22',
  clean: true,
  sourcemap: true,
});
