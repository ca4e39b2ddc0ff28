import { fileURLToPath } from 'node:url';
import { runLintCli } from './run-cli.js';

// The default folder is @wxyc/database's migrations (dist/ -> ../../database). pnpm runs the
// script in the package folder; INIT_CWD is where the command was typed.
process.exitCode = await runLintCli(
  process.argv.slice(2),
  fileURLToPath(new URL('../../database/src/migrations/', import.meta.url)),
  {
    cwd: process.env.INIT_CWD ?? process.cwd(),
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  },
);
