import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.js';

// Benchmarks run like integration tests (same PostgreSQL harness) but only on demand:
// `pnpm bench:<name>`. They print figures; they assert nothing about time.
export default mergeConfig(
  { resolve: base.resolve },
  defineConfig({
    test: {
      include: ['bench/**/*.bench.ts'],
      globalSetup: ['tests/support/exit-code-guard.ts', 'tests/support/global-setup.ts'],
      testTimeout: 600_000,
      hookTimeout: 600_000,
    },
  }),
);
