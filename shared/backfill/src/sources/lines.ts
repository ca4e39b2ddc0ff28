import { StringDecoder } from 'node:string_decoder';

/** A line of a text stream: its number (from 1) and text (without `\n` or `\r\n`). */
export interface Line {
  n: number;
  text: string;
  /** The stream ended without a newline after it (a feed cut mid-line ends like this). */
  unterminated: boolean;
}

export class LineTooLong extends Error {
  constructor(
    readonly line: number,
    readonly maxBytes: number,
  ) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
  }
}

/** The wait for data ran past its deadline. */
export class ReadDeadline extends Error {
  constructor(readonly ms: number) {
    super(`no data for the batch within ${ms} ms`);
  }
}

/**
 * Lines of a byte stream, pulled: only the current chunk and a partial line are held. UTF-8 is
 * decoded across chunk edges. `read` calls run under a deadline from `deadline()`: when it
 * passes, `abort` is called (destroying the stream) and the call throws ReadDeadline.
 */
export class LineReader {
  private buf = '';
  private readonly decoder = new StringDecoder('utf8');
  private ended = false;
  private count = 0;

  constructor(
    private readonly src: AsyncIterator<Buffer | string>,
    private readonly abort: (why: Error) => void,
    private readonly maxLineBytes = 16 * 1024 * 1024,
  ) {}

  /** Lines returned (or skipped) so far. */
  get lines(): number {
    return this.count;
  }

  /** The next line, or null at the end of the stream. */
  async next(deadline: Promise<never>): Promise<Line | null> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const text = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        return { n: ++this.count, text: text.endsWith('\r') ? text.slice(0, -1) : text, unterminated: false };
      }
      if (this.ended) {
        if (this.buf === '') return null;
        const text = this.buf;
        this.buf = '';
        return { n: ++this.count, text, unterminated: true };
      }
      if (Buffer.byteLength(this.buf) > this.maxLineBytes) throw new LineTooLong(this.count + 1, this.maxLineBytes);
      const pending = this.src.next();
      pending.catch(() => undefined); // settles after an abort; its error is the deadline's
      const r = await Promise.race([pending, deadline]);
      if (r.done) {
        this.ended = true;
        this.buf += this.decoder.end();
      } else {
        this.buf += typeof r.value === 'string' ? r.value : this.decoder.write(r.value);
      }
    }
  }

  /** A deadline `ms` from now for a group of `next` calls; `clear()` it when they are done. */
  deadline(ms: number): { promise: Promise<never>; clear: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new ReadDeadline(ms);
        this.abort(err);
        reject(err);
      }, ms);
    });
    promise.catch(() => undefined);
    return { promise, clear: () => clearTimeout(timer) };
  }
}
