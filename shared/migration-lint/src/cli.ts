import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintDirectory } from './lint.js';
import { loadParser } from './parse.js';
import { RULES } from './rules.js';

// `pnpm lint:migrations [dir]`: the default is @wxyc/database's migrations (dist/ -> ../../database).
// pnpm runs the script in the package folder; INIT_CWD is where the command was typed.
const cwd = process.env.INIT_CWD ?? process.cwd();
const dir = process.argv[2] ? resolve(cwd, process.argv[2]) : fileURLToPath(new URL('../../database/src/migrations/', import.meta.url));
if (!existsSync(`${dir}/meta/_journal.json`)) {
  console.error(`[lint:migrations] error: ${dir} has no meta/_journal.json; pass the migrations folder as the argument.`);
  process.exit(2);
}
await loadParser();
const { findings, waived } = lintDirectory(dir);
const shown = (f: string) => {
  const rel = relative(cwd, f);
  return rel && !rel.startsWith('..') ? rel : f;
};
for (const f of findings) console.error(`${shown(f.file)}:${f.line}: [${f.rule}] ${f.message}\n    ${RULES[f.rule]}`);
console.log(`[lint:migrations] ${findings.length} problem(s), ${waived.length} waived (allow markers and historical exceptions) in ${dir}`);
process.exitCode = findings.length ? 1 : 0;
