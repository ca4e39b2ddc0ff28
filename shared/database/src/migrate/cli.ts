import { ConfigError, parseCommandLine, readArgs, runJob, shutdownSignal, type CommandSpec } from '@wxyc/job-runtime';
import { isConnectionLost } from '../connection-lost.js';
import { MIGRATIONS_DIR } from '../paths.js';
import { runHistory } from '../run-history/index.js';
import { runMigrate, type MigrateMode } from './runner.js';

export interface MigrateCliOptions {
  /** Dev seed, run after the migrations only when `--seed` is given (pnpm dev does). */
  seedFile?: string;
}

export const MIGRATE_COMMAND = {
  command: 'node dev_env/init-db.mjs',
  summary:
    "The guarded migration runner: applies the pending DDL-only migrations of shared/database (pre-flight, lock_timeout, guards); the migrate image's entrypoint.",
  options: {
    status: { type: 'boolean', description: 'list applied and pending migrations; change nothing' },
    'dry-run': { type: 'boolean', description: 'pre-flight and plan only; change nothing' },
    seed: {
      type: 'boolean',
      description: 'after the migrations, write the dev seed (pnpm dev passes it; production never does)',
    },
  },
  env: {
    DATABASE_URL: 'the database to migrate',
    'MIGRATE_*, DB_*': 'timeouts and retries: docs/migrations.md, "Settings"',
  },
  notes:
    "Also: --trace [--rows N] [--from TAG | --since-ref REF] (= pnpm migrate:trace) and --export-stats [--out FILE], the trace's (node dev_env/init-db.mjs --trace --help).\n" +
    "exit codes: 0 ok, 2 bad arguments or config, 3 unreachable; the runner's own codes are in docs/migrations.md.",
} as const satisfies CommandSpec;

export interface MigrateArgs {
  mode: MigrateMode;
  /** `--seed`: write the dev seed after the migrations. Never the default: production runs without flags. */
  seed: boolean;
}

export function parseMigrateArgs(argv: string[]): MigrateArgs {
  const { values } = parseCommandLine(MIGRATE_COMMAND, argv);
  const modes: MigrateMode[] = [
    ...(values.status ? (['status'] as const) : []),
    ...(values['dry-run'] ? (['dry-run'] as const) : []),
  ];
  const seed = values.seed ?? false;
  if (modes.length > 1) throw new ConfigError('give at most one of --status, --dry-run.');
  if (seed && modes.length) throw new ConfigError(`--seed writes data; it cannot go with --${modes[0]}.`);
  return { mode: modes[0] ?? 'apply', seed };
}

/** The entrypoint of `node dev_env/init-db.mjs`: exit code in process.exitCode, one clear error. */
export async function runMigrateCli(argv: string[], opts: MigrateCliOptions = {}): Promise<void> {
  readArgs(MIGRATE_COMMAND, argv, 'migrate'); // --help, or bad arguments: one line, exit 2, before any connection
  const shutdown = shutdownSignal((sig) => {
    console.error(`[migrate] ${sig}: cancelling the running statement and rolling back`);
    // Last resort if the server does not answer: our backend dies on its own once the socket
    // is gone (client_connection_check_interval).
    setTimeout(() => process.exit(130), 9_000).unref();
  });
  // postgres-js 3.4.9 replays the FATAL it read before a socket closed onto the next socket
  // (porsager/postgres#1223; docs/conventions.md), and rejects it unawaited when no statement is
  // pending (57P01 between statements). The statement awaited next on that connection fails too and
  // is reported as the lost connection (exit 17, one line); such a stray rejection must not end
  // the process first with a stack trace. Any other unhandled rejection stays fatal.
  const strayLoss = (err: unknown) => {
    if (isConnectionLost(err)) return;
    process.off('unhandledRejection', strayLoss);
    setImmediate(() => {
      throw err;
    });
  };
  process.on('unhandledRejection', strayLoss);
  try {
    // Only an apply run is recorded: --status and --dry-run promise to write nothing.
    const hooks = argv.every((a) => a === '--seed') ? [runHistory({ job: 'migrate', kind: 'migrate' })] : [];
    await runJob(
      'migrate',
      (log) => {
        const args = parseMigrateArgs(argv);
        if (args.seed && !opts.seedFile) throw new ConfigError('--seed: this entrypoint has no dev seed file.');
        return runMigrate({
          mode: args.mode,
          migrationsDir: MIGRATIONS_DIR,
          seedFile: args.seed ? opts.seedFile : undefined,
          log,
          signal: shutdown.signal,
        });
      },
      { hooks },
    );
  } finally {
    shutdown.dispose();
    process.off('unhandledRejection', strayLoss);
  }
}
