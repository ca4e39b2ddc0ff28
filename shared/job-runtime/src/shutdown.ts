/**
 * Turns SIGTERM/SIGINT into an AbortSignal the job checks between units of work.
 * A second signal means the operator insists: exit at once with 130.
 */
const anyShutdown = new AbortController();

/**
 * Aborted once any shutdownSignal() of this process has seen SIGTERM/SIGINT: lets shared code
 * that a job does not hand its signal to (the database client's connect loop) stop waiting.
 */
export function processShutdownSignal(): AbortSignal {
  return anyShutdown.signal;
}

export function shutdownSignal(onSignal?: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(sig);
    anyShutdown.abort(sig);
    onSignal?.(sig);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
