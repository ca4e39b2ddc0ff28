// JSON Lines read from an in-memory stream: line numbers, checkpoints, bad lines, chunk edges.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { jsonlReader, literalSource } from '@wxyc/backfill';
import { failure } from '../../support/job-failure.js';

const chunks = (...parts: (string | Buffer)[]) =>
  Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('jsonlReader', () => {
  it('batches by limit, skips blank lines, CRLF and a last line without newline, UTF-8 split across chunks', async () => {
    const e = Buffer.from('{"n":"é"}\n');
    const r = await jsonlReader('t', chunks('{"n":1}\r\n\n{"n":2}\n', e.subarray(0, 7), e.subarray(7), '{"n":4}'), 0);
    expect(await r.next(2)).toEqual({ records: [{ n: 1 }, { n: 2 }], checkpoint: { line: 3 }, done: false });
    expect(await r.next(5)).toEqual({ records: [{ n: 'é' }, { n: 4 }], checkpoint: { line: 5 }, done: true });
  });

  it('resumes after the checkpoint line, unparsed lines skipped', async () => {
    const r = await jsonlReader('t', chunks('not json at all\n{"n":2}\n{"n":3}\n'), 1);
    expect(await r.next(10)).toEqual({ records: [{ n: 2 }, { n: 3 }], checkpoint: { line: 3 }, done: true });
  });

  it('a malformed line: the records before it come first, then one line naming it', async () => {
    const r = await jsonlReader('file x.jsonl', chunks('{"n":1}\n{"n":2}\n{"n":3,}\n{"n":4}\n'), 0);
    expect(await r.next(10)).toEqual({ records: [{ n: 1 }, { n: 2 }], checkpoint: { line: 2 }, done: false });
    const err = await failure(r.next(10));
    expect(err.exitCode).toBe(EXIT.FAILED);
    expect(err.message).toMatch(
      /^source file x\.jsonl: line 3 is not valid JSON: .*; nothing from there on was written; fix the source/,
    );
    // and again: it never moves past the bad line
    expect((await failure(r.next(10))).message).toBe(err.message);
  });

  it('a line that is JSON but not an object, and a cut-off last line, say so', async () => {
    expect((await failure((await jsonlReader('t', chunks('[1,2]\n'), 0)).next(5))).message).toMatch(
      /line 1 is an array, not a JSON object/,
    );
    const cut = await failure((await jsonlReader('t', chunks('{"n":1}\n{"n":2,"s":"ab'), 1)).next(5));
    expect(cut.message).toMatch(
      /line 2 is not valid JSON: .*\(the last line, with no newline after it: the feed may have been cut off\)/,
    );
  });

  it('a checkpoint past the end of the data refuses: the source changed', async () => {
    const err = await failure(jsonlReader('t', chunks('{"n":1}\n'), 5));
    expect(err.message).toMatch(/checkpoint is at line 5 but the feed has only 1 lines now/);
  });

  it('a line longer than the bound is refused without holding more of it', async () => {
    const r = await jsonlReader('t', chunks('{"a":"', 'x'.repeat(2000), 'x'.repeat(2000), '"}\n'), 0, {
      maxLineBytes: 1000,
    });
    expect((await failure(r.next(5))).message).toMatch(/line 1 is longer than 1000 bytes/);
  });
});

describe('literalSource', () => {
  it('pages a list and resumes at its offset; a bad offset refuses', async () => {
    const src = literalSource('ids', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    const r = await src.open(null);
    expect(await r.next(2)).toEqual({ records: [{ id: 1 }, { id: 2 }], checkpoint: { offset: 2 }, done: false });
    expect(await (await src.open({ offset: 2 })).next(2)).toEqual({
      records: [{ id: 3 }],
      checkpoint: { offset: 3 },
      done: true,
    });
    expect((await failure(src.open({ offset: 9 }))).message).toMatch(
      /^source list ids \(3 records\): checkpoint \{"offset":9\} has no valid offset/,
    );
  });
});
