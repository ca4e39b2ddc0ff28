// fileJsonlSource on real files: .jsonl and .jsonl.gz streamed, resumed at a checkpoint, a
// rewritten file refused on resume, a truncated .gz a data error after the last whole line.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { fileJsonlSource } from '@wxyc/backfill';
import { gz, jsonl } from '../../support/feed-server.js';
import { failure } from '../../support/job-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'sources-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const records = Array.from({ length: 500 }, (_, i) => ({ id: i, s: `line ${i} ü` }));

describe('fileJsonlSource', () => {
  it('reads .jsonl.gz in batches and resumes at the checkpoint', async () => {
    const path = join(dir, 'plays.jsonl.gz');
    writeFileSync(path, gz(jsonl(records)));
    const src = fileJsonlSource({ path });
    const r = await src.open(null);
    const first = await r.next(120);
    await r.close();
    expect(first.records).toEqual(records.slice(0, 120));
    const r2 = await src.open(first.checkpoint);
    const rest = await r2.next(1000);
    expect(rest).toMatchObject({ records: records.slice(120), done: true });
    expect(rest.checkpoint).toMatchObject({ line: 500 });
  });

  it('a file rewritten since the checkpoint is refused on resume', async () => {
    const path = join(dir, 'changing.jsonl');
    writeFileSync(path, jsonl(records));
    const r = await fileJsonlSource({ path }).open(null);
    const b = await r.next(10);
    await r.close();
    writeFileSync(path, jsonl(records.slice(5)));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const err = await failure(fileJsonlSource({ path }).open(b.checkpoint));
    expect(err.exitCode).toBe(EXIT.CONFIG);
    expect(err.message).toMatch(/the file changed since the checkpoint .* rerun with --reset/);
  });

  it('a truncated .gz file and a missing file: one line each', async () => {
    const path = join(dir, 'cut.jsonl.gz');
    writeFileSync(path, gz(jsonl(records)).subarray(0, 1500));
    const r = await fileJsonlSource({ path }).open(null);
    let err: JobError | undefined;
    for (let i = 0; i < 100; i++) {
      const b = await r.next(50).catch((e: JobError) => e);
      if (b instanceof JobError) {
        err = b;
        break;
      }
      if (b.done) break;
    }
    expect(err?.exitCode).toBe(EXIT.FAILED);
    expect(err?.message).toMatch(
      /^source file .*cut\.jsonl\.gz: the gzip data is truncated or corrupt after line \d+ \(unexpected end of file\)/,
    );
    const missing = await failure(fileJsonlSource({ path: join(dir, 'none.jsonl') }).open(null));
    expect(missing.exitCode).toBe(EXIT.CONFIG);
    expect(missing.message).toMatch(/cannot read it: ENOENT/);
  });
});
