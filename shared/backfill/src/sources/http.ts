import { Readable, pipeline } from 'node:stream';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { maskUrl } from '@wxyc/database';
import { jsonlReader, type JsonlOptions } from './jsonl.js';
import { offsetOf } from './literal.js';
import { sourceConfigError, sourceFailed, type Checkpoint, type RecordSource } from './source.js';

export interface HttpFeedSpec extends JsonlOptions {
  url: string;
  /** Sent with the request (an `Authorization` header, say); never printed. Credentials do not go in the URL. */
  headers?: Record<string, string>;
  /** Gunzip the body: `auto` (default) when the path ends `.gz` or the type is gzip, and the server did not decode it already. */
  gzip?: boolean | 'auto';
}

const cause = (err: unknown) => {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  return `${e.message ?? String(err)}${e.cause?.message ? ` (${e.cause.message})` : e.cause?.code ? ` (${e.cause.code})` : ''}`;
};

/**
 * Sends the request and waits for the headers under `timeoutMs`; refuses a non-2xx answer with
 * one line naming the masked URL and status (exit 3 for 5xx/429/network, 2 for other statuses:
 * the URL or its credentials are wrong). The returned controller aborts the body.
 */
export async function openHttp(
  label: string,
  url: string,
  headers: Record<string, string> | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    throw sourceFailed(
      label,
      `the request failed: ${controller.signal.aborted ? String((controller.signal.reason as Error)?.message ?? 'aborted') : cause(err)}`,
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const what = `answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    throw res.status >= 500 || res.status === 429
      ? sourceFailed(label, what)
      : sourceConfigError(label, `${what}: check the URL and its credentials`);
  }
  return { res, controller };
}

/** A version of the resource for the checkpoint: its ETag, else Last-Modified. */
const versionOf = (res: Response) => res.headers.get('etag') ?? res.headers.get('last-modified') ?? undefined;

function wantsGunzip(spec: HttpFeedSpec, res: Response): boolean {
  if (spec.gzip !== undefined && spec.gzip !== 'auto') return spec.gzip;
  if (res.headers.get('content-encoding')) return false; // fetch has decoded it
  const type = res.headers.get('content-type') ?? '';
  return new URL(spec.url).pathname.endsWith('.gz') || /gzip/i.test(type);
}

/**
 * A JSON Lines feed over HTTP (`.jsonl` or `.jsonl.gz`), streamed: the body is read as batches
 * are asked for (back-pressure holds the rest in the socket), never held whole. Checkpoint
 * `{ line, version }`: a resume requests the feed again and skips the committed lines; when the
 * server's ETag (or Last-Modified) differs from the checkpoint's, it refuses (the lines moved).
 */
export function httpJsonlSource(spec: HttpFeedSpec): RecordSource {
  const label = `feed ${maskUrl(spec.url)}`;
  return {
    name: label,
    async open(checkpoint: Checkpoint | null, opts) {
      const start = offsetOf(label, checkpoint, 'line');
      const saved = checkpoint === null ? undefined : (checkpoint as { version?: string }).version;
      const timeoutMs = spec.timeoutMs ?? 30_000;
      const { res, controller } = await openHttp(label, spec.url, spec.headers, timeoutMs, opts?.signal);
      const version = versionOf(res);
      if (saved && version && saved !== version) {
        controller.abort();
        throw sourceConfigError(
          label,
          `the feed changed since the checkpoint (version ${saved}, now ${version}): its lines may have moved; rerun with --reset to import it from the start`,
        );
      }
      const body = Readable.fromWeb(res.body as WebStream<Uint8Array>);
      const stream = wantsGunzip(spec, res) ? pipeline(body, createGunzip(), () => undefined) : body;
      const reader = await jsonlReader(label, stream, start, { ...spec, version: version ?? saved });
      return {
        next: (limit) => reader.next(limit),
        async close() {
          controller.abort();
          await reader.close();
        },
      };
    },
  };
}
