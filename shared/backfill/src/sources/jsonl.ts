import type { Readable } from 'node:stream';
import { LineReader, LineTooLong, ReadDeadline } from './lines.js';
import {
  checkLimit,
  type Checkpoint,
  sourceDataError,
  sourceFailed,
  type SourceReader,
  type SourceRecord,
} from './source.js';

export interface JsonlOptions {
  /** The longest one `next()` may take, body included (a stalled or trickling feed ends here). Default 30 s. */
  timeoutMs?: number;
  maxLineBytes?: number;
  /** Saved with the line in the checkpoint; a resume that finds another one refuses (the feed changed). */
  version?: string;
}

const SKIP_STEP = 10_000;

/** What a failure while reading is: the bytes stopped (exit 3) or the bytes are wrong (exit 1). */
function readFailure(label: string, err: unknown, afterLine: number): Error {
  const where = `after line ${afterLine}`;
  if (err instanceof ReadDeadline) return sourceFailed(label, `the feed stalled: ${err.message} (${where})`);
  if (err instanceof LineTooLong) return sourceDataError(label, err.message);
  const e = err as { code?: string; message?: string; cause?: { message?: string; code?: string } };
  if (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR') {
    return sourceDataError(label, `the gzip data is truncated or corrupt ${where} (${e.message})`);
  }
  const cause = e.cause?.message ? `: ${e.cause.message}` : '';
  return sourceFailed(label, `the stream broke ${where} (${e.message ?? String(err)}${cause})`);
}

/**
 * JSON Lines from a byte stream: one object per line, blank lines skipped, the checkpoint the
 * number of lines consumed (`{ line: n }`). Resuming skips that many lines unparsed. A malformed
 * line ends the batch before it (those records can still commit) and the next call throws,
 * naming the line number and the parser's complaint.
 */
export async function jsonlReader(
  label: string,
  stream: Readable,
  start: number,
  opts: JsonlOptions = {},
): Promise<SourceReader> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const reader = new LineReader(stream[Symbol.asyncIterator](), (why) => stream.destroy(why), opts.maxLineBytes);
  const checkpoint = (line = reader.lines): Checkpoint => (opts.version ? { line, version: opts.version } : { line });
  await skipLines(label, reader, start, timeoutMs);
  let failed: Error | null = null;
  let done = false;
  return {
    async next(limit) {
      checkLimit(label, limit);
      if (failed) throw failed;
      const records: SourceRecord[] = [];
      const dl = reader.deadline(timeoutMs);
      try {
        while (!done && records.length < limit) {
          const at = reader.lines;
          const line = await reader
            .next(dl.promise)
            .catch((err: unknown) => Promise.reject(readFailure(label, err, at)));
          if (line === null) {
            done = true;
            break;
          }
          if (line.text.trim() === '') continue;
          const parsed = parseLine(label, line.text, line.n, line.unterminated);
          if (parsed instanceof Error) {
            failed = parsed;
            if (records.length === 0) throw parsed;
            // the records before it may commit; the checkpoint stays before the bad line
            return { records, checkpoint: checkpoint(line.n - 1), done: false };
          }
          records.push(parsed);
        }
      } finally {
        dl.clear();
      }
      return { records, checkpoint: checkpoint(), done };
    },
    async close() {
      stream.destroy();
    },
  };
}

function parseLine(label: string, text: string, n: number, unterminated: boolean): SourceRecord | Error {
  const cut = unterminated ? ' (the last line, with no newline after it: the feed may have been cut off)' : '';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return sourceDataError(label, `line ${n} is not valid JSON: ${(err as Error).message}${cut}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return sourceDataError(
      label,
      `line ${n} is ${Array.isArray(v) ? 'an array' : JSON.stringify(v)?.slice(0, 40)}, not a JSON object${cut}`,
    );
  }
  return v as SourceRecord;
}

async function skipLines(label: string, reader: LineReader, count: number, timeoutMs: number): Promise<void> {
  while (reader.lines < count) {
    const dl = reader.deadline(timeoutMs);
    try {
      const stop = Math.min(count, reader.lines + SKIP_STEP);
      while (reader.lines < stop) {
        const at = reader.lines;
        const line = await reader.next(dl.promise).catch((err: unknown) => Promise.reject(readFailure(label, err, at)));
        if (line === null)
          throw sourceDataError(
            label,
            `the checkpoint is at line ${count} but the feed has only ${at} lines now; it changed since: rerun with --reset to start over`,
          );
      }
    } finally {
      dl.clear();
    }
  }
}
