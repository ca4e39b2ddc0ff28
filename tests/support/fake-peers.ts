// Broken peers for fault tests: a TCP endpoint that accepts and closes at once (a proxy or
// tunnel whose database is down, a pgbouncer with no backend), counting the connects.
import net from 'node:net';
import { afterAll } from 'vitest';

export interface AcceptAndClose {
  port: number;
  url(database?: string): string;
  /** Connections accepted so far. */
  connects(): number;
  close(): Promise<void>;
}

export async function acceptAndClose(): Promise<AcceptAndClose> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const peer: AcceptAndClose = {
    port,
    url: (database = 'wxyc') => `postgres://wxyc:Pw-peer-7@127.0.0.1:${port}/${database}`,
    connects: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  afterAll(() => peer.close());
  return peer;
}
