import { ConfigError, runJob, shutdownSignal } from '@wxyc/job-runtime';
import { isConnectionLost } from '../connection-lost.js';
import { MIGRATIONS_DIR } from '../paths.js';
import { runHistory } from '../run-history/index.js';
import { runMigrate, type MigrateMode } from './runner.js';

export interface MigrateCliOptions {
  /** Dev seed, run after the migrations only when `--seed` is given (pnpm dev does). */
  seedFile?: string;
}

const USAGE = 'usage: node dev_env/init-db.mjs [--status | --dry-run | --seed]';

export interface MigrateArgs {
  mode: MigrateMode;
  /** `--seed`: write the dev seed after the migrations. Never the default: production runs without flags. */
  seed: boolean;
}

export function parseMigrateArgs(argv: string[]): MigrateArgs {
  const modes: MigrateMode[] = [];
  let seed = false;
  for (const a of argv) {
    if (a === '--status') modes.push('status');
    else if (a === '--dry-run') modes.push('dry-run');
    else if (a === '--seed') seed = true;
    else throw new ConfigError(`unknown argument ${JSON.stringify(a)}; ${USAGE}`);
  }
  if (modes.length > 1) throw new ConfigError(`give at most one of --status, --dry-run; ${USAGE}`);
  if (seed && modes.length) throw new ConfigError(`--seed writes data; it cannot go with --${modes[0]}; ${USAGE}`);
  return { mode: modes[0] ?? 'apply', seed };
}

/** The entrypoint of `node dev_env/init-db.mjs`: exit code in process.exitCode, one clear error. */
export async function runMigrateCli(argv: string[], opts: MigrateCliOptions = {}): Promise<void> {
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
