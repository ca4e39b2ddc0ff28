import type { Logger } from '@wxyc/job-runtime';
import type { MirrorTable } from './owners.js';
import { runEtl, type EtlContext } from './run-etl.js';
import { etlCommand, readEtlArgs, type VerifyMode } from './verify-args.js';

export interface MirrorEtlSpec {
  job: string;
  /** One line for --help: what is mirrored into what. */
  summary: string;
  mirrors: readonly MirrorTable[];
  tick: (ctx: EtlContext) => Promise<void>;
  verify: (ctx: EtlContext, mode: VerifyMode) => Promise<void>;
}

/**
 * The entry of an ETL that reads only MySQL (no dump mode): its command line, and its main,
 * which runs a tick, or `--verify [--repair]` one whole pass, in runEtl's frame.
 */
export function mirrorEtlMain(spec: MirrorEtlSpec) {
  const command = etlCommand(spec.summary);
  const main = (log: Logger, args: string[], env: Record<string, string | undefined> = process.env) => {
    const { verify } = readEtlArgs(command, args);
    return runEtl(
      { job: spec.job, log, env, needLegacy: true, statementTimeoutMs: 120_000, mirrors: spec.mirrors },
      (ctx) => (verify ? spec.verify(ctx, verify) : spec.tick(ctx)),
    );
  };
  return { command, main };
}
