#!/usr/bin/env node
// Deploy targets changed by a push: `changed-jobs.mjs BASE HEAD` (deploy-auto passes
// github.event.before and github.sha). A BASE that is all zeros (new branch) or not in the
// history (force push) falls back to HEAD's parent. Prints jobs=<JSON array> and
// migrate=true|false, also to $GITHUB_OUTPUT when set.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
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

const [base = '', head = 'HEAD'] = process.argv.slice(2);
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
