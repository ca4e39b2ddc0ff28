import { createDbClient, databaseUrlFromEnv, maskUrl, MIGRATIONS_DIR } from '@wxyc/database';
import { ConfigError, EXIT, JobError, isUnreachable, runJob } from '@wxyc/job-runtime';
import { readJobSpecs } from './jobs.js';
import { renderStatus } from './render.js';
import { collectStatus } from './status.js';

type Env = Record<string, string | undefined>;

export const OPS_STATUS_USAGE = 'usage: pnpm ops:status [--json] [--check]';

export interface OpsArgs {
  json: boolean;
  check: boolean;
}

export function parseOpsArgs(argv: string[]): OpsArgs {
  const args = { json: false, check: false };
  for (const a of argv) {
    if (a === '--json') args.json = true;
    else if (a === '--check') args.check = true;
    else throw new ConfigError(`unknown argument ${JSON.stringify(a)}; ${OPS_STATUS_USAGE}`);
  }
  return args;
}

/**
 * `pnpm ops:status`: prints the view (text, or JSON with --json); with --check exits 1 when
 * anything is stale, stuck, pending or drifted. 2 = bad arguments/config, 3 = unreachable.
 * `root` is the folder holding jobs/ (env OPS_JOBS_DIR overrides).
 */
export async function runOpsStatus(argv: string[], root: string, env: Env = process.env): Promise<void> {
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
