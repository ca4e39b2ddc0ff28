import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the shared packages from source, so `pnpm test` needs no build first.
const sharedDir = fileURLToPath(new URL('./shared/', import.meta.url));
const alias = Object.fromEntries(
  readdirSync(sharedDir)
    .filter((d) => existsSync(`${sharedDir}${d}/package.json`) && existsSync(`${sharedDir}${d}/src/index.ts`))
    .map((d) => [
      JSON.parse(readFileSync(`${sharedDir}${d}/package.json`, 'utf8')).name as string,
      `${sharedDir}${d}/src/index.ts`,
    ]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          // exit-code-guard first: its teardown runs last (see the file).
          globalSetup: ['tests/support/exit-code-guard.ts', 'tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
