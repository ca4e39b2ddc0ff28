import { packageTsupConfig } from '../../tsup.base.js';

// No .d.ts: nothing imports the built package (tests use src), and `pnpm lint:migrations`
// rebuilds it on every run, so the build must stay well under a second.
export default { ...packageTsupConfig, entry: ['src/index.ts', 'src/cli.ts'] };
