import http from 'node:http';
import https from 'node:https';

/** A whole HTTP answer, its body read in full. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
}

/** One request to send: what a Request normalises to. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface CallOptions {
  /** The deadline of the whole exchange, connect to last body byte. */
  timeoutMs: number;
  /** The largest body read; more is an error naming the cap. */
  maxBodyBytes: number;
  agents: { http: http.Agent; https: https.Agent };
  /** Aborts the call (the run stops). */
  signal?: AbortSignal;
}

/** A call that did not give a whole answer; `retryable` when asking again may help. */
export class CallFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** `ECONNRESET: read ECONNRESET`-style: the code first (what an operator greps for), once. */
export function causeOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

/**
 * Keep-alive agents whose idle sockets do not hold the process open (Node unrefs a socket in the
 * free pool): a job exits when its work ends, not when the server's keep-alive timeout does.
 */
export function lookupAgents(maxSockets: number) {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
}

/**
 * One HTTP exchange over node:http(s), redirects not followed: the answer with its whole body, or
 * CallFailed. The deadline covers the body too (a body that starts then stalls, or a 2 GB
 * Content-Length then silence, fails at `timeoutMs`), and the body is bounded by `maxBodyBytes`.
 */
export function httpCall(url: URL, req: HttpRequest, o: CallOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!mod) return reject(new CallFailed(`unsupported protocol ${url.protocol}`, false));
    if (o.signal?.aborted) return reject(o.signal.reason);
    let got = 0;
    let expected: number | null = null;
    let settled = false;
    const finish = (err: unknown, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(answer!);
    };
    const phase = () =>
      expected === null && got === 0 ? 'waiting for the answer' : `after ${got} of ${expected ?? '?'} body bytes`;
    const deadline = setTimeout(
      () => finish(new CallFailed(`timed out after ${o.timeoutMs} ms (${phase()})`, true)),
      o.timeoutMs,
    );
    const onAbort = () => finish(o.signal!.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const agent = url.protocol === 'https:' ? o.agents.https : o.agents.http;
    const headers = req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers;
    const request = mod.request(url, { method: req.method, headers, agent }, (res) => {
      const len = res.headers['content-length'];
      expected = len !== undefined && /^\d+$/.test(len) ? Number(len) : null;
      if (expected !== null && expected > o.maxBodyBytes) {
        return finish(
          new CallFailed(
            `answer of ${expected} bytes (Content-Length) is over the cap of ${o.maxBodyBytes} bytes (maxBodyBytes)`,
            false,
          ),
        );
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got > o.maxBodyBytes)
          return finish(new CallFailed(`answer over the cap of ${o.maxBodyBytes} bytes (maxBodyBytes)`, false));
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish(null, {
          status: res.statusCode!,
          statusText: res.statusMessage ?? '',
          headers: headersOf(res.headers),
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', (err) => finish(new CallFailed(`${causeOf(err)} (${phase()})`, true)));
      res.on('close', () => {
        if (!res.complete) finish(new CallFailed(`connection closed mid-answer (${phase()})`, true));
      });
    });
    request.on('error', (err) => finish(new CallFailed(causeOf(err), true)));
    request.end(req.body);
  });
}

function headersOf(h: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}
