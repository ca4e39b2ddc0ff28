import type { Socket } from 'node:net';

/** The FATAL error a server sent just before it closed a connection (57P01 on pg_terminate_backend). */
export interface ServerGoodbye {
  code: string;
  message: string;
  /** Date.now() when it arrived. */
  at: number;
}

const ERROR_RESPONSE = 0x45; // 'E'

/**
 * Watches a plain (non-TLS) PostgreSQL connection for a FATAL ErrorResponse. postgres-js drops
 * such an error when it arrives between queries, or reports "CONNECTION_CLOSED" instead when
 * the socket closes before ReadyForQuery; this keeps it so a job can name what the server said.
 * Only the 5-byte header of other messages is read; their bodies are skipped, never buffered.
 */
export function watchForGoodbye(socket: Socket, onGoodbye: (g: ServerGoodbye) => void): void {
  let pending: Buffer | undefined;
  let skip = 0;
  socket.on('data', (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let i = 0;
    while (i < buf.length) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - i);
        skip -= n;
        i += n;
        continue;
      }
      if (buf.length - i < 5) break;
      const type = buf[i]!;
      const len = buf.readInt32BE(i + 1);
      if (type !== ERROR_RESPONSE) {
        skip = len - 4;
        i += 5;
        continue;
      }
      if (buf.length - i < 1 + len) break;
      const g = parseFatal(buf.subarray(i + 5, i + 1 + len));
      if (g) onGoodbye(g);
      i += 1 + len;
    }
    if (i < buf.length) pending = Buffer.from(buf.subarray(i));
  });
}

function parseFatal(body: Buffer): ServerGoodbye | undefined {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    if (end < 0) break;
    fields.set(String.fromCharCode(body[i]!), body.toString('utf8', i + 1, end));
    i = end + 1;
  }
  const severity = fields.get('V') ?? fields.get('S');
  if (severity !== 'FATAL' && severity !== 'PANIC') return undefined;
  return { code: fields.get('C') ?? '?????', message: fields.get('M') ?? '', at: Date.now() };
}
