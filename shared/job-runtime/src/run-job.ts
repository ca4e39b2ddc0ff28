import { ConfigError, EXIT, JobError, describeError, isUnreachable } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { startRunHooks, type RunHook } from './run-hooks.js';

/**
 * The entrypoint wrapper of every job: runs main, maps failures to one clear line and
 * an exit code (never a bare stack unless DEBUG is set), and sets process.exitCode so
 * pending output is flushed before the process ends.
 */
export async function runJob(
  name: string,
  main: (log: Logger) => Promise<number | void>,
  opts: { hooks?: RunHook[] } = {},
): Promise<void> {
  const log = createLogger(name);
  // The event loop emptied while main still waits: a promise that can never settle (a statement
  // queued on a dead connection). Node would exit 13 with no word; say so and fail instead.
  const stranded = () => {
    log.error(
      'stopped: the job was left waiting on something that can never answer (a statement on a lost connection?); nothing more was done.',
    );
    process.exitCode = EXIT.FAILED;
  };
  process.once('beforeExit', stranded);
  const finish = await startRunHooks(name, opts.hooks ?? [], log);
  let error: string | null = null;
  try {
    process.exitCode = (await main(log)) ?? EXIT.OK;
  } catch (err) {
    process.exitCode = exitCodeFor(err);
    error = describeError(err);
    log.error(error);
    if (process.env.DEBUG && err instanceof Error && err.stack) console.error(err.stack);
  } finally {
    process.off('beforeExit', stranded);
  }
  await finish(Number(process.exitCode), error);
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof JobError) return err.exitCode;
  if (err instanceof ConfigError) return EXIT.CONFIG;
  if (isUnreachable(err)) return EXIT.UNREACHABLE;
  return EXIT.FAILED;
}
