import type { Logger } from '@wxyc/job-runtime';
import { etlCommand, readEtlArgs, runEtl } from '@wxyc/legacy-etl';
import { JOB, runTick, runVerify } from './tick.js';
import { ROTATION_MIRROR } from './legacy-tables.js';

export const COMMAND = etlCommand(
  'Legacy heavy-rotation list (MySQL) -> rotation: an incremental tick, each verifying a slice of the mirror; --verify [--repair] for a whole pass.',
);

/** An incremental tick from the legacy MySQL; `--verify [--repair]`: one whole verification pass. */
export async function rotationEtl(
  log: Logger,
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { verify } = readEtlArgs(COMMAND, args);
  return runEtl(
    { job: JOB, log, env, needLegacy: true, statementTimeoutMs: 120_000, mirrors: [ROTATION_MIRROR] },
    (ctx) => (verify ? runVerify(ctx, verify) : runTick(ctx)),
  );
}
