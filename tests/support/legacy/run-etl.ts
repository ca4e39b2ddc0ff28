// Runs flowsheet-etl in this process against the test databases, capturing its log lines.
import type { Logger } from '@wxyc/job-runtime';
import { exitCodeFor, describeError } from '@wxyc/job-runtime';
import { flowsheetEtl } from '../../../jobs/flowsheet-etl/src/main.js';

export interface EtlRun {
  code: number;
  lines: string[];
}

export function captureLogger(lines: string[]): Logger {
  return {
    info: (m) => lines.push(`[flowsheet-etl] ${m}`),
    warn: (m) => lines.push(`[flowsheet-etl] warning: ${m}`),
    error: (m) => lines.push(`[flowsheet-etl] error: ${m}`),
  };
}

export async function runFlowsheetEtl(env: Record<string, string | undefined>, args: string[] = []): Promise<EtlRun> {
  const lines: string[] = [];
  try {
    const code = await flowsheetEtl(captureLogger(lines), args, env);
    return { code, lines };
  } catch (err) {
    lines.push(`[flowsheet-etl] error: ${describeError(err)}`);
    if (process.env.DEBUG) console.error(err);
    return { code: exitCodeFor(err), lines };
  }
}
