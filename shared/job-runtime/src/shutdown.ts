/**
 * Turns SIGTERM/SIGINT into an AbortSignal the job checks between units of work.
 * A second signal means the operator insists: exit at once with 130.
 */
export function shutdownSignal(onSignal?: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(sig);
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
