import { ConfigError, type Logger } from '@wxyc/job-runtime';
import { runEtl } from '@wxyc/legacy-etl';
import { JOB, runTick } from './tick.js';

/** An incremental tick from the legacy MySQL; the job takes no arguments. */
export async function rotationEtl(log: Logger, args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  if (args.length > 0) throw new ConfigError(`rotation-etl takes no arguments, got: ${args.join(' ')}.`);
  return runEtl({ job: JOB, log, env, needLegacy: true, statementTimeoutMs: 120_000 }, runTick);
}
