import { ConfigError, type Logger } from '@wxyc/job-runtime';
import { runEtl, verifyMode } from '@wxyc/legacy-etl';
import { JOB, runTick, runVerify } from './tick.js';
import { ARTISTS_MIRROR, LIBRARY_MIRROR } from './legacy-tables.js';

/** An incremental tick from the legacy MySQL; `--verify [--repair]`: one whole verification pass. */
export async function libraryEtl(log: Logger, args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const verify = verifyMode(args);
  if (verify === null && args.length > 0) throw new ConfigError(`library-etl takes no arguments but --verify [--repair [--confirm-deleted TABLE:FROM-TO]], got: ${args.join(' ')}.`);
  return runEtl({ job: JOB, log, env, needLegacy: true, statementTimeoutMs: 120_000, mirrors: [ARTISTS_MIRROR, LIBRARY_MIRROR] }, (ctx) => (verify ? runVerify(ctx, verify) : runTick(ctx)));
}
