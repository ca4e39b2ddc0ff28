import { ConfigError, runJob, shutdownSignal } from '@wxyc/job-runtime';
import { MIGRATIONS_DIR } from '../paths.js';
import { runHistory } from '../run-history/index.js';
import { runMigrate, type MigrateMode } from './runner.js';

export interface MigrateCliOptions {
  /** Dev seed run after the migrations unless SKIP_SEED=true. */
  seedFile?: string;
}

const USAGE = 'usage: node dev_env/init-db.mjs [--status | --dry-run]';

export function parseMigrateArgs(argv: string[]): MigrateMode {
  const modes = argv.map((a) => {
    if (a === '--status') return 'status' as const;
    if (a === '--dry-run') return 'dry-run' as const;
    throw new ConfigError(`unknown argument ${JSON.stringify(a)}; ${USAGE}`);
  });
  if (modes.length > 1) throw new ConfigError(`give at most one of --status, --dry-run; ${USAGE}`);
  return modes[0] ?? 'apply';
}

/** The entrypoint of `node dev_env/init-db.mjs`: exit code in process.exitCode, one clear error. */
export async function runMigrateCli(argv: string[], opts: MigrateCliOptions = {}): Promise<void> {
  const shutdown = shutdownSignal((sig) => {
    console.error(`[migrate] ${sig}: cancelling the running statement and rolling back`);
    // Last resort if the server does not answer: our backend dies on its own once the socket
    // is gone (client_connection_check_interval).
    setTimeout(() => process.exit(130), 9_000).unref();
  });
  try {
    // Only an apply run (no arguments) is recorded: --status and --dry-run promise to write nothing.
    const hooks = argv.length === 0 ? [runHistory({ job: 'migrate', kind: 'migrate' })] : [];
    await runJob('migrate', (log) =>
      runMigrate({
        mode: parseMigrateArgs(argv),
        migrationsDir: MIGRATIONS_DIR,
        seedFile: opts.seedFile,
        log,
        signal: shutdown.signal,
      }),
      { hooks },
    );
  } finally {
    shutdown.dispose();
  }
}
