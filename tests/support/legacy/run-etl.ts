// Runs a legacy ETL job's main function in this process against the test databases, capturing its log lines.
import type { Logger } from '@wxyc/job-runtime';
import { exitCodeFor, describeError } from '@wxyc/job-runtime';
import { flowsheetEtl } from '../../../jobs/flowsheet-etl/src/main.js';

export interface EtlRun {
  code: number;
  lines: string[];
}

type EtlMain = (log: Logger, args: string[], env: Record<string, string | undefined>) => Promise<number>;

export function captureLogger(lines: string[], job = 'flowsheet-etl'): Logger {
  return {
    info: (m) => lines.push(`[${job}] ${m}`),
    warn: (m) => lines.push(`[${job}] warning: ${m}`),
    error: (m) => lines.push(`[${job}] error: ${m}`),
  };
}

/** Runs `main` like runJob does: its exit code, or the code and one error line of what it threw. */
export async function runEtlMain(
  job: string,
  main: EtlMain,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<EtlRun> {
  const lines: string[] = [];
  try {
    const code = await main(captureLogger(lines, job), args, env);
    return { code, lines };
  } catch (err) {
    lines.push(`[${job}] error: ${describeError(err)}`);
    if (process.env.DEBUG) console.error(err);
    return { code: exitCodeFor(err), lines };
  }
}

export function runFlowsheetEtl(env: Record<string, string | undefined>, args: string[] = []): Promise<EtlRun> {
  return runEtlMain('flowsheet-etl', flowsheetEtl, env, args);
}
