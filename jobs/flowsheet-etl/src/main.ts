import { existsSync } from 'node:fs';
import { ConfigError, type Logger } from '@wxyc/job-runtime';
import { runEtl } from '@wxyc/legacy-etl';
import { runBulk } from './bulk.js';
import { JOB, runTick } from './tick.js';

/** The two modes: no argument = an incremental tick from MySQL; one argument = a bulk load of that dump file. */
export async function flowsheetEtl(log: Logger, args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  if (args.length > 1) throw new ConfigError(`expected at most one argument (a mysqldump file), got ${args.length}.`);
  const dump = args[0];
  if (dump !== undefined && !existsSync(dump)) throw new ConfigError(`dump file ${dump} does not exist.`);
  return runEtl({ job: JOB, log, env, needLegacy: dump === undefined, statementTimeoutMs: 120_000 }, (ctx) =>
    dump === undefined ? runTick(ctx) : runBulk(ctx, dump),
  );
}
