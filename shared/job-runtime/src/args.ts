// The one home of command-line parsing: every command (dev_env scripts, shared CLIs, jobs) declares
// its arguments once, as a CommandSpec, and gets node:util parseArgs underneath, `--help` (usage,
// options, the env vars it reads; exit 0) and one line, exit 2, for anything it does not know.
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, EXIT } from './errors.js';

export interface OptionSpec {
  type: 'boolean' | 'string';
  /** One line: what it does. */
  description: string;
  /** The value's name in the usage text (string options): `--rows N`. */
  value?: string;
  short?: string;
  default?: string;
  /** May be given more than once (string options): the value is every occurrence, in order. */
  multiple?: boolean;
  /** Accepted but left out of the usage and help (the flag that selects the command: `--trace`). */
  hidden?: boolean;
}

export interface CommandSpec {
  /** How it is run, as the user types it: `pnpm ops:status`, `node dist/job.js`. */
  command: string;
  /** One line: what it does. */
  summary: string;
  options?: Readonly<Record<string, OptionSpec>>;
  /** Positionals: their usage text (`<name> [args...]`) and how many are allowed. Default: none. */
  positionals?: { usage: string; min?: number; max?: number; description?: string };
  /** Env vars it reads, with what each is for. */
  env?: Readonly<Record<string, string>>;
  /** Closing lines of --help: exit codes, where the docs are. */
  notes?: string;
}

type Values<S extends CommandSpec> = {
  [K in keyof S['options']]?: S['options'][K] extends { type: 'boolean' }
    ? boolean
    : S['options'][K] extends { multiple: true }
      ? string[]
      : string;
};

export interface ParsedArgs<S extends CommandSpec> {
  /** `--help` or `-h` was given: print help, do nothing else. */
  help: boolean;
  values: Values<S>;
  positionals: string[];
}

/** Bad arguments: one line naming the argument and the usage; exit 2 (a ConfigError). */
export class UsageError extends ConfigError {
  override name = 'UsageError';
}

const HELP = new Set(['--help', '-h']);

/** `pnpm ops:status [--json] [--check]` */
export function usageLine(spec: CommandSpec): string {
  const opts = Object.entries(spec.options ?? {})
    .filter(([, o]) => !o.hidden)
    .map(([name, o]) =>
      o.type === 'string' ? `[--${name} ${o.value ?? 'VALUE'}]${o.multiple ? '...' : ''}` : `[--${name}]`,
    );
  return [spec.command, ...opts, spec.positionals?.usage].filter(Boolean).join(' ');
}

/**
 * Parses argv against the spec (pure: no output, no exit). `--help`/`-h` anywhere before `--`
 * wins over everything else. Throws UsageError on an unknown option, a missing value, or a
 * positional the spec does not take.
 */
export function parseCommandLine<S extends CommandSpec>(spec: S, argv: readonly string[]): ParsedArgs<S> {
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => HELP.has(a)))
    return { help: true, values: {} as Values<S>, positionals: [] };
  const options = Object.fromEntries(
    Object.entries(spec.options ?? {}).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );
  const fail = (what: string) => new UsageError(`${what}; usage: ${usageLine(spec)} (--help for details)`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const arg = e.message.match(/'([^']*)'/)?.[1] ?? '';
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = arg.replace(/^-\w, /, '').replace(/ <value>$/, '');
      throw fail(
        spec.options?.[name.replace(/^--/, '')]?.type === 'boolean'
          ? `${name} takes no value`
          : `${name} needs a value`,
      );
    }
    throw fail(`unknown argument ${JSON.stringify(arg || e.message)}`);
  }
  const { min = 0, max = 0 } = spec.positionals ?? {};
  const positionals = parsed.positionals;
  if (positionals.length > max) throw fail(`unknown argument ${JSON.stringify(positionals[max])}`);
  if (positionals.length < min) throw fail(`missing ${spec.positionals?.usage ?? 'argument'}`);
  return { help: false, values: parsed.values as Values<S>, positionals };
}

/** The --help text: usage, summary, options, positionals, env vars, notes. */
export function helpText(spec: CommandSpec): string {
  const lines = [`usage: ${usageLine(spec)}`, '', spec.summary];
  // a name too long for the column gets its description on the next line
  const rows = (entries: [string, string][]) => {
    const w = Math.max(...entries.map(([k]) => k.length).filter((n) => n <= 30));
    return entries.map(([k, v]) => (k.length > 30 ? `  ${k}\n  ${''.padEnd(w)}  ${v}` : `  ${k.padEnd(w)}  ${v}`));
  };
  const opts: [string, string][] = Object.entries(spec.options ?? {})
    .filter(([, o]) => !o.hidden)
    .map(([name, o]) => [
      `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
      `${o.description}${o.default !== undefined ? ` (default ${o.default})` : ''}`,
    ]);
  opts.push(['-h, --help', 'print this help and exit']);
  if (spec.positionals?.description)
    lines.push('', 'arguments:', ...rows([[spec.positionals.usage, spec.positionals.description]]));
  lines.push('', 'options:', ...rows(opts));
  const env = Object.entries(spec.env ?? {});
  if (env.length) lines.push('', 'environment:', ...rows(env));
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/**
 * For an entrypoint: parses argv; on --help prints the help to stdout and exits 0; on bad
 * arguments prints one line (`[prefix] error: ...`) to stderr and exits 2. Written synchronously,
 * so nothing is lost when the process exits at once (a pipe on macOS is asynchronous otherwise).
 */
export function readArgs<S extends CommandSpec>(
  spec: S,
  argv: readonly string[],
  prefix = spec.command,
): ParsedArgs<S> {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      writeSync(1, helpText(spec));
      process.exit(EXIT.OK);
    }
    return parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    writeSync(2, `[${prefix}] error: ${err.message}\n`);
    process.exit(EXIT.CONFIG);
  }
}
