import { relative, resolve } from 'node:path';
import { readMigrationSet, readTableStats, schema, STATS_FILE } from '@wxyc/database';
import {
  helpText,
  parseCommandLine,
  usageLine,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from '@wxyc/job-runtime';
import { schemaTables } from './drizzle-schema.js';
import { DEFAULT_BIG_TABLE_ROWS, lintDirectory } from './lint.js';
import { loadParser } from './parse.js';
import { RULES } from './rules.js';

export interface CliIo {
  /** Where relative paths are resolved and shown from (pnpm's INIT_CWD: where the command was typed). */
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

export const LINT_COMMAND = {
  command: 'pnpm lint:migrations',
  summary:
    "Lints every migration: rejects statements that lock or rewrite big tables (PostgreSQL's own parser; size-aware with the stats file).",
  options: {
    stats: {
      type: 'string',
      value: 'FILE',
      description: `production table sizes (default ${relative(process.cwd(), STATS_FILE) || STATS_FILE})`,
    },
    'big-rows': {
      type: 'string',
      value: 'N',
      description: `a table this big counts as big (default ${DEFAULT_BIG_TABLE_ROWS})`,
    },
  },
  positionals: {
    usage: '[dir]',
    max: 1,
    description: 'the migrations folder (default shared/database/src/migrations)',
  },
  notes: 'exit codes: 0 clean, 1 a problem found, 2 bad arguments. docs/migrations.md, "The linter".',
} as const satisfies CommandSpec;
const USAGE = `usage: ${usageLine(LINT_COMMAND)}`;

/** `lint:migrations [dir]`: prints `file:line: [rule] message` per problem; returns the exit code. */
export async function runLintCli(args: string[], defaultDir: string, io: CliIo): Promise<number> {
  let parsed: ParsedArgs<typeof LINT_COMMAND>;
  try {
    parsed = parseCommandLine(LINT_COMMAND, args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`[lint:migrations] error: ${err.message}`);
    return 2;
  }
  if (parsed.help) {
    io.out(helpText(LINT_COMMAND).trimEnd());
    return 0;
  }
  const { values, positionals } = parsed;
  const dir = positionals[0] ? resolve(io.cwd, positionals[0]) : defaultDir;
  try {
    // Either layout; a malformed one ends here in one line, before any file is linted.
    readMigrationSet(dir);
  } catch (err) {
    io.err(
      `[lint:migrations] error: ${(err as Error).message}${/pass the migrations folder/.test((err as Error).message) ? ' as the argument' : ''}.`,
    );
    return 2;
  }
  const bigRaw = values['big-rows'] ?? String(DEFAULT_BIG_TABLE_ROWS);
  if (!/^\d+$/.test(bigRaw) || Number(bigRaw) < 1) {
    io.err(`[lint:migrations] error: --big-rows ${JSON.stringify(bigRaw)}: expected a whole number >= 1; ${USAGE}`);
    return 2;
  }
  const statsFile = values.stats ? resolve(io.cwd, values.stats) : STATS_FILE;
  let stats: ReturnType<typeof readTableStats>;
  try {
    stats = readTableStats(statsFile);
  } catch (err) {
    io.err(`[lint:migrations] error: ${(err as Error).message}`);
    return 2;
  }
  if (values.stats && !stats) {
    io.err(`[lint:migrations] error: --stats ${values.stats}: no such file`);
    return 2;
  }
  await loadParser();
  const { findings, waived } = lintDirectory(dir, {
    stats,
    bigTableRows: Number(bigRaw),
    schema: schemaTables(schema),
  });
  const shown = (f: string) => {
    const rel = relative(io.cwd, f);
    return rel && !rel.startsWith('..') ? rel : f;
  };
  for (const f of findings) {
    io.err(
      `${shown(f.file)}:${f.line}: ${f.severity === 'note' ? 'note ' : ''}[${f.rule}] ${f.message}\n    ${RULES[f.rule]}`,
    );
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const sizes = stats ? `table sizes from ${shown(statsFile)}` : 'no stats.json: every lock rule is an error';
  io.out(
    `[lint:migrations] ${errors} problem(s), ${findings.length - errors} note(s), ${waived.length} waived (allow markers and historical exceptions) in ${dir}; ${sizes}`,
  );
  return errors ? 1 : 0;
}
