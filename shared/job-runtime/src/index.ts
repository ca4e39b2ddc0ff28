export { ConfigError, JobError, EXIT, describeError, isUnreachable } from './errors.js';
export { requireEnv, intEnv, boolEnv, type IntOptions } from './env.js';
export { createLogger, type Logger } from './logger.js';
export { shutdownSignal, processShutdownSignal } from './shutdown.js';
export { runJob, exitCodeFor } from './run-job.js';
export {
  countRows,
  markSkipped,
  outcomeFor,
  type RunHook,
  type RunEnd,
  type RunCounts,
  type RunOutcome,
} from './run-hooks.js';
export {
  parseCommandLine,
  readArgs,
  helpText,
  usageLine,
  UsageError,
  type CommandSpec,
  type OptionSpec,
  type ParsedArgs,
} from './args.js';
export { printable, hasControlCharacter } from './printable.js';
