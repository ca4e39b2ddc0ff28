// The built resolver as the image runs it: `node dist/job.js` in a child process, its lines and exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const JOB = fileURLToPath(new URL('../../../jobs/rotation-release-id-resolver/dist/job.js', import.meta.url));
export const API_KEY = 'test-key-7f3a';

/** Starts the job against `db` and the LML stand-in at `lml` (a fast rate unless `env` says otherwise). */
export function startResolver(db: string, lml: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [JOB], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: db,
      LML_URL: lml,
      LML_API_KEY: API_KEY,
      LML_REQUESTS_PER_MINUTE: '6000',
      LML_MAX_CONCURRENCY: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const done = new Promise<{ code: number | null; lines: string[] }>((resolve) =>
    child.on('close', (code) => resolve({ code, lines })),
  );
  return { child, lines, done };
}

/** Runs the job to its end. */
export const runResolver = (db: string, lml: string, env: Record<string, string> = {}) =>
  startResolver(db, lml, env).done;

/** The `summary:` line's counts. */
export function summaryOf(lines: readonly string[]): Record<string, number> {
  const line = lines.find((l) => /summary( \(dry run[^)]*\))?: scanned/.test(l));
  if (!line) throw new Error(`no summary line in:\n${lines.join('\n')}`);
  return Object.fromEntries(
    [...line.slice(line.indexOf('scanned')).matchAll(/(\w+) (\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
  );
}
