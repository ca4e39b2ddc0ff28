import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, parseCommandLine, UsageError, usageLine, type CommandSpec } from '@wxyc/job-runtime';

const spec = {
  command: 'pnpm demo',
  summary: 'Does the demo.',
  options: {
    rows: { type: 'string', value: 'N', description: 'rows to seed', default: '500' },
    json: { type: 'boolean', description: 'print JSON' },
    out: { type: 'string', short: 'o', value: 'DIR', description: 'where to write' },
  },
  positionals: { usage: '[FILE]', max: 1, description: 'a dump to load' },
  env: { DATABASE_URL: 'the database' },
  notes: 'exit codes: 0 ok, 2 bad arguments',
} as const satisfies CommandSpec;

const error = (argv: string[]) => {
  try {
    parseCommandLine(spec, argv);
  } catch (err) {
    return err;
  }
  return null;
};

describe('parseCommandLine', () => {
  it('reads options, defaults and positionals', () => {
    expect(parseCommandLine(spec, [])).toEqual({ help: false, values: { rows: '500' }, positionals: [] });
    expect(parseCommandLine(spec, ['--rows', '7', '--json', 'a.sql'])).toEqual({
      help: false,
      values: { rows: '7', json: true },
      positionals: ['a.sql'],
    });
    expect(parseCommandLine(spec, ['--rows=9', '-o', 'x']).values).toEqual({ rows: '9', out: 'x' });
  });

  it('a repeatable option keeps every value in order; its usage says it repeats', () => {
    const many = {
      command: 'x',
      summary: 's',
      options: { env: { type: 'string', short: 'e', value: 'K=V', description: 'set', multiple: true } },
    } as const satisfies CommandSpec;
    const parsed = parseCommandLine(many, ['-e', 'A=1', '--env', 'B=2', '-e', 'A=3']);
    const values: string[] | undefined = parsed.values.env;
    expect(values).toEqual(['A=1', 'B=2', 'A=3']);
    expect(parseCommandLine(many, []).values.env).toBeUndefined();
    expect(usageLine(many)).toBe('x [--env K=V]...');
  });

  it('--help or -h anywhere wins, even beside an unknown flag; after -- it is a positional', () => {
    expect(parseCommandLine(spec, ['--wat', '--help']).help).toBe(true);
    expect(parseCommandLine(spec, ['-h']).help).toBe(true);
    expect(parseCommandLine(spec, ['--', '--help'])).toEqual({
      help: false,
      values: { rows: '500' },
      positionals: ['--help'],
    });
  });

  it('refuses what it does not know with one line naming the argument and the usage', () => {
    const usage = 'usage: pnpm demo [--rows N] [--json] [--out DIR] [FILE] (--help for details)';
    expect(error(['--wat'])).toEqual(new UsageError(`unknown argument "--wat"; ${usage}`));
    expect(error(['-x'])).toEqual(new UsageError(`unknown argument "-x"; ${usage}`));
    expect(error(['a.sql', 'b.sql'])).toEqual(new UsageError(`unknown argument "b.sql"; ${usage}`));
    expect(error(['--rows'])).toEqual(new UsageError(`--rows needs a value; ${usage}`));
    // `--rows --json` is a forgotten value, not rows="--json"
    expect(error(['--rows', '--json'])).toEqual(new UsageError(`--rows needs a value; ${usage}`));
    expect(error(['-o'])).toEqual(new UsageError(`--out needs a value; ${usage}`));
    expect(error(['--json=yes'])).toEqual(new UsageError(`--json takes no value; ${usage}`));
    // a UsageError is a ConfigError: runJob maps it to exit 2
    expect(error(['--wat'])).toBeInstanceOf(ConfigError);
  });

  it('a command without positionals refuses any; a required one must be there', () => {
    const bare = { command: 'pnpm x', summary: 's' } satisfies CommandSpec;
    expect(() => parseCommandLine(bare, ['extra'])).toThrow(
      'unknown argument "extra"; usage: pnpm x (--help for details)',
    );
    const needs = {
      command: 'pnpm job',
      summary: 's',
      positionals: { usage: '<name>', min: 1, max: 1 },
    } satisfies CommandSpec;
    expect(() => parseCommandLine(needs, [])).toThrow('missing <name>; usage: pnpm job <name> (--help for details)');
  });
});

describe('helpText', () => {
  it('has the usage, the summary, every option with its default, -h, the env vars and the notes', () => {
    expect(usageLine(spec)).toBe('pnpm demo [--rows N] [--json] [--out DIR] [FILE]');
    expect(helpText(spec)).toBe(
      [
        'usage: pnpm demo [--rows N] [--json] [--out DIR] [FILE]',
        '',
        'Does the demo.',
        '',
        'arguments:',
        '  [FILE]  a dump to load',
        '',
        'options:',
        '  --rows N       rows to seed (default 500)',
        '  --json         print JSON',
        '  -o, --out DIR  where to write',
        '  -h, --help     print this help and exit',
        '',
        'environment:',
        '  DATABASE_URL  the database',
        '',
        'exit codes: 0 ok, 2 bad arguments',
        '',
      ].join('\n'),
    );
  });

  it('leaves hidden options out of usage and help but accepts them; a name too long for the column gets its own line', () => {
    const trace = {
      command: 'init-db --trace',
      summary: 's',
      options: {
        trace: { type: 'boolean', hidden: true, description: 'selects it' },
        rows: { type: 'string', value: 'N', description: 'rows' },
      },
      env: { 'A_VERY_LONG_VARIABLE_NAME, AND_ANOTHER_ONE': 'both', SHORT: 'one' },
    } as const satisfies CommandSpec;
    expect(parseCommandLine(trace, ['--trace', '--rows', '3']).values).toEqual({ trace: true, rows: '3' });
    expect(usageLine(trace)).toBe('init-db --trace [--rows N]');
    const help = helpText(trace);
    expect(help).not.toContain('selects it');
    expect(help).toContain('environment:\n  A_VERY_LONG_VARIABLE_NAME, AND_ANOTHER_ONE\n         both\n  SHORT  one\n');
  });
});
