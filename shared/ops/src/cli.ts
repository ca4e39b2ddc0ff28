import {
  createDbClient,
  databaseUrlFromEnv,
  INVALID_AUTHORIZATION,
  INVALID_CATALOG_NAME,
  INVALID_PASSWORD,
  maskUrl,
  MIGRATIONS_DIR,
  sqlState,
} from '@wxyc/database';
import {
  describeError,
  EXIT,
  exitCodeFor,
  JobError,
  isUnreachable,
  parseCommandLine,
  readArgs,
  runJob,
  type CommandSpec,
} from '@wxyc/job-runtime';
import { readJobSpecs } from './jobs.js';
import { renderStatus } from './render.js';
import { collectStatus } from './status.js';

type Env = Record<string, string | undefined>;

export const OPS_STATUS_COMMAND = {
  command: 'pnpm ops:status',
  summary:
    "Migrations, each cron job's last run (stale when older than twice its schedule or never finished), backfills, lock holders and long transactions, in one view.",
  options: {
    json: { type: 'boolean', description: 'print the view as JSON' },
    check: { type: 'boolean', description: 'exit 1 when anything is stale, stuck, pending or drifted (for monitors)' },
  },
  env: {
    DATABASE_URL: 'the database (unset: the local stack `pnpm dev` started)',
    DB_CONNECT_TIMEOUT_S: 'connect timeout in seconds',
    OPS_JOBS_DIR: 'the folder holding jobs/ (default: this checkout)',
  },
  notes:
    'exit codes: 0 ok, 1 a problem (--check) or an incomplete status (a table locked: its holder is named), 2 bad arguments or config or a refused role, 3 database unreachable or missing. docs/deploy.md, "Operations".',
} as const satisfies CommandSpec;

export interface OpsArgs {
  help: boolean;
  json: boolean;
  check: boolean;
}

export function parseOpsArgs(argv: string[]): OpsArgs {
  const { help, values } = parseCommandLine(OPS_STATUS_COMMAND, argv);
  return { help, json: values.json ?? false, check: values.check ?? false };
}

/** How long ops:status waits for a lock before it reports the section as unreadable, and for any statement. */
export const OPS_LOCK_TIMEOUT_MS = 2000;
export const OPS_STATEMENT_TIMEOUT_MS = 5000;

/**
 * `pnpm ops:status`: prints the view (text, or JSON with --json); with --check exits 1 when
 * anything is stale, stuck, pending or drifted. A section it could not read (locked) makes the
 * status incomplete: shown with the lock's holder, exit 1. 2 = bad arguments/config, a role the
 * server refuses; 3 = unreachable, a database that does not exist. With --json a failure is a JSON
 * document on stdout too. `root` is the folder holding jobs/ (env OPS_JOBS_DIR overrides).
 */
export async function runOpsStatus(argv: string[], root: string, env: Env = process.env): Promise<void> {
  readArgs(OPS_STATUS_COMMAND, argv, 'ops-status'); // --help, or bad arguments: before any run starts
  const json = parseOpsArgs(argv).json;
  await runJob('ops-status', async () => {
    try {
      return await opsStatus(parseOpsArgs(argv), root, env);
    } catch (err) {
      if (json) console.log(JSON.stringify({ error: describeError(err), exitCode: exitCodeFor(err) }, null, 2));
      throw err;
    }
  });
}

async function opsStatus(args: OpsArgs, root: string, env: Env): Promise<number> {
  const jobs = readJobSpecs(env.OPS_JOBS_DIR?.trim() || root);
  const url = databaseUrlFromEnv(env);
  const sql = createDbClient({
    url,
    applicationName: 'wxyc-ops-status',
    env: { DB_CONNECT_TIMEOUT_S: env.DB_CONNECT_TIMEOUT_S },
    max: 1,
    statementTimeoutMs: OPS_STATEMENT_TIMEOUT_MS,
    settings: { lock_timeout: OPS_LOCK_TIMEOUT_MS },
  });
  try {
    const status = await collectStatus(sql, jobs, MIGRATIONS_DIR).catch((err: unknown) => {
      throw connectFailure(err, url);
    });
    console.log(args.json ? JSON.stringify(status, null, 2) : renderStatus(status));
    if (status.unreadable.length) return EXIT.FAILED;
    return args.check && status.problems.length ? EXIT.FAILED : EXIT.OK;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** The connect failures an operator fixes in DATABASE_URL, each with its exit code; anything else as it is. */
function connectFailure(err: unknown, url: string): unknown {
  const where = `PostgreSQL at ${maskUrl(url)}`;
  const code = sqlState(err);
  if (code === INVALID_CATALOG_NAME)
    return new JobError(`${where}: ${describeError(err)}. Check the database name in DATABASE_URL.`, EXIT.UNREACHABLE);
  if (code === INVALID_AUTHORIZATION || code === INVALID_PASSWORD)
    return new JobError(`${where}: ${describeError(err)}. Check the user and password in DATABASE_URL.`, EXIT.CONFIG);
  if (isUnreachable(err))
    return new JobError(`${where} is unreachable: ${(err as Error).message}. Check DATABASE_URL.`, EXIT.UNREACHABLE);
  return err;
}
