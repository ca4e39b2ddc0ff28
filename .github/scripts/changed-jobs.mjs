#!/usr/bin/env node
// Deploy targets changed by a push: `changed-jobs.mjs BASE HEAD` (deploy-auto passes
// github.event.before and github.sha). A BASE that is all zeros (new branch) or not in the
// history (force push) falls back to HEAD's parent. Prints jobs=<JSON array> and
// migrate=true|false, also to $GITHUB_OUTPUT when set.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { affectedTargets } from './lib/affected.mjs';
import { workspacePackages } from './lib/workspace.mjs';

const git = (/** @type {string[]} */ ...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const isCommit = (/** @type {string} */ ref) => {
  try {
    git('cat-file', '-e', `${ref}^{commit}`);
    return true;
  } catch {
    return false;
  }
};

// node:util parseArgs itself, not the repo's one parser (@wxyc/job-runtime readArgs): this runs in
// the deploy workflow before anything is installed or built. Same contract: --help, exit 2 and one
// line for anything else.
const USAGE = 'usage: node .github/scripts/changed-jobs.mjs [BASE] [HEAD]';
/** @type {string[]} */
let positionals = [];
try {
  ({ positionals } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true }));
} catch (err) {
  const arg = /'([^']*)'/.exec(String(/** @type {Error} */ (err).message))?.[1] ?? '';
  process.stderr.write(
    `[changed-jobs] error: unknown argument ${JSON.stringify(arg)}; ${USAGE} (--help for details)\n`,
  );
  process.exit(2);
}
if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  process.stdout.write(
    `${USAGE}\n\nPrints the deploy targets a push changed: jobs=<JSON array> and migrate=true|false (also to $GITHUB_OUTPUT).\n\n` +
      'arguments:\n  BASE  the commit before the push (default: none, so HEAD^)\n  HEAD  the pushed commit (default: HEAD)\n\n' +
      'options:\n  -h, --help  print this help and exit\n',
  );
  process.exit(0);
}
if (positionals.length > 2) {
  process.stderr.write(
    `[changed-jobs] error: unknown argument ${JSON.stringify(positionals[2])}; ${USAGE} (--help for details)\n`,
  );
  process.exit(2);
}
const [base = '', head = 'HEAD'] = positionals;
const root = git('rev-parse', '--show-toplevel');
let from = base;
if (base === '' || base.startsWith('-') || /^0+$/.test(base) || !isCommit(base)) {
  from = isCommit(`${head}^`) ? `${head}^` : git('hash-object', '-t', 'tree', '/dev/null'); // first commit: everything
  console.error(`base ${base || '(none)'} is not a usable commit: comparing with ${from}`);
}
const files = git('diff', '--name-only', from, head).split('\n').filter(Boolean);
const { jobs, migrate } = affectedTargets(files, workspacePackages(root));
const out = `jobs=${JSON.stringify(jobs)}\nmigrate=${migrate}\n`;
process.stdout.write(out);
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, out);
