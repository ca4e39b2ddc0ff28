import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { lintDirectory } from './lint.js';
import { loadParser } from './parse.js';
import { RULES } from './rules.js';

export interface CliIo {
  /** Where relative paths are resolved and shown from (pnpm's INIT_CWD: where the command was typed). */
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `lint:migrations [dir]`: prints `file:line: [rule] message` per problem; returns the exit code. */
export async function runLintCli(args: string[], defaultDir: string, io: CliIo): Promise<number> {
  const dir = args[0] ? resolve(io.cwd, args[0]) : defaultDir;
  if (!existsSync(`${dir}/meta/_journal.json`)) {
    io.err(`[lint:migrations] error: ${dir} has no meta/_journal.json; pass the migrations folder as the argument.`);
    return 2;
  }
  await loadParser();
  const { findings, waived } = lintDirectory(dir);
  const shown = (f: string) => {
    const rel = relative(io.cwd, f);
    return rel && !rel.startsWith('..') ? rel : f;
  };
  for (const f of findings) io.err(`${shown(f.file)}:${f.line}: [${f.rule}] ${f.message}\n    ${RULES[f.rule]}`);
  io.out(`[lint:migrations] ${findings.length} problem(s), ${waived.length} waived (allow markers and historical exceptions) in ${dir}`);
  return findings.length ? 1 : 0;
}
