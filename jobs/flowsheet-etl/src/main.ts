import { existsSync } from 'node:fs';
import { ConfigError, type Logger } from '@wxyc/job-runtime';
import { runEtl, verifyMode } from '@wxyc/legacy-etl';
import { runBulk } from './bulk.js';
import { JOB, runTick, runVerify } from './tick.js';
import { FLOWSHEET_MIRROR, SHOWS_MIRROR } from './legacy-tables.js';

const MIRRORS = [SHOWS_MIRROR, FLOWSHEET_MIRROR];

/**
 * The modes: no argument = an incremental tick from MySQL; `--verify [--repair]` = one whole
 * verification pass (repairing with --repair); one other argument = a bulk load of that dump file.
 */
export async function flowsheetEtl(log: Logger, args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const verify = verifyMode(args);
  if (verify !== null) return runEtl({ job: JOB, log, env, needLegacy: true, statementTimeoutMs: 120_000, mirrors: MIRRORS }, (ctx) => runVerify(ctx, verify));
  if (args.length > 1) throw new ConfigError(`expected at most one argument (a mysqldump file, or --verify [--repair]), got: ${args.join(' ')}.`);
  const dump = args[0];
  if (dump !== undefined && !existsSync(dump)) throw new ConfigError(`dump file ${dump} does not exist.`);
  return runEtl({ job: JOB, log, env, needLegacy: dump === undefined, statementTimeoutMs: 120_000, mirrors: MIRRORS }, (ctx) =>
    dump === undefined ? runTick(ctx) : runBulk(ctx, dump),
  );
}
