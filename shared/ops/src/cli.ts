import { createDbClient, databaseUrlFromEnv, maskUrl, MIGRATIONS_DIR } from '@wxyc/database';
import { EXIT, JobError, isUnreachable, parseCommandLine, readArgs, runJob, type CommandSpec } from '@wxyc/job-runtime';
import { readJobSpecs } from './jobs.js';
import { renderStatus } from './render.js';
import { collectStatus } from './status.js';

type Env = Record<string, string | undefined>;

export const OPS_STATUS_COMMAND = {
  command: 'pnpm ops:status',
  summary: 'Migrations, each cron job\'s last run (stale when older than twice its schedule or never finished), backfills, lock holders and long transactions, in one view.',
  options: {
    json: { type: 'boolean', description: 'print the view as JSON' },
    check: { type: 'boolean', description: 'exit 1 when anything is stale, stuck, pending or drifted (for monitors)' },
  },
  env: {
    DATABASE_URL: 'the database (unset: the local stack `pnpm dev` started)',
    DB_CONNECT_TIMEOUT_S: 'connect timeout in seconds',
    OPS_JOBS_DIR: 'the folder holding jobs/ (default: this checkout)',
  },
  notes: 'exit codes: 0 ok, 1 a problem (--check), 2 bad arguments or config, 3 database unreachable. docs/deploy.md, "Operations".',
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

/**
 * `pnpm ops:status`: prints the view (text, or JSON with --json); with --check exits 1 when
 * anything is stale, stuck, pending or drifted. 2 = bad arguments/config, 3 = unreachable.
 * `root` is the folder holding jobs/ (env OPS_JOBS_DIR overrides).
 */
export async function runOpsStatus(argv: string[], root: string, env: Env = process.env): Promise<void> {
  readArgs(OPS_STATUS_COMMAND, argv, 'ops-status'); // --help, or bad arguments: before any run starts
  await runJob('ops-status', async () => {
    const args = parseOpsArgs(argv);
    const jobs = readJobSpecs(env.OPS_JOBS_DIR?.trim() || root);
    const url = databaseUrlFromEnv(env);
    const sql = createDbClient({ url, applicationName: 'wxyc-ops-status', env: { DB_CONNECT_TIMEOUT_S: env.DB_CONNECT_TIMEOUT_S }, max: 1, statementTimeoutMs: 10_000 });
    try {
      const status = await collectStatus(sql, jobs, MIGRATIONS_DIR).catch((err: unknown) => {
        if (isUnreachable(err)) throw new JobError(`PostgreSQL at ${maskUrl(url)} is unreachable: ${(err as Error).message}. Check DATABASE_URL.`, EXIT.UNREACHABLE);
        throw err;
      });
      console.log(args.json ? JSON.stringify(status, null, 2) : renderStatus(status));
      return args.check && status.problems.length ? EXIT.FAILED : EXIT.OK;
    } finally {
      await sql.end({ timeout: 2 });
    }
  });
}
