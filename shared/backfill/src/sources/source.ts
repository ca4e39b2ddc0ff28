import { EXIT, JobError } from '@wxyc/job-runtime';

/** A JSON value: what a checkpoint may hold (the engine stores it as jsonb with its state). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Where a reader is in its source, as of the last record it returned. `null` = the beginning. */
export type Checkpoint = Json;

/** A record from outside the walked table: field name -> value (staged by `stageRecords`). */
export type SourceRecord = Record<string, unknown>;

export interface SourceBatch<R = SourceRecord> {
  records: R[];
  /** Resume point after these records; save it in the same transaction as their writes. */
  checkpoint: Checkpoint;
  /** The source has nothing after these records. */
  done: boolean;
}

/**
 * A pull reader: each `next(limit)` returns at most `limit` records and holds at most one page
 * (or one line buffer) in memory. Errors are JobErrors whose message is one line naming the
 * source (URLs masked): exit 3 when the source failed (connection lost, feed cut off, stalled),
 * 1 when its data is bad (a malformed line), 2 when it is misconfigured.
 */
export interface SourceReader<R = SourceRecord> {
  next(limit: number): Promise<SourceBatch<R>>;
  close(): Promise<void>;
}

export interface RecordSource<R = SourceRecord> {
  /** What it reads, for logs and errors, credentials masked (e.g. `feed https://host/x.jsonl.gz`). */
  readonly name: string;
  /** Starts at `checkpoint` (null: the beginning): the records after the last committed batch. */
  open(checkpoint: Checkpoint | null, opts?: { signal?: AbortSignal }): Promise<SourceReader<R>>;
}

/** The source failed (unreachable, cut off, stalled): a rerun resumes from the checkpoint. */
export const sourceFailed = (name: string, what: string): JobError =>
  new JobError(
    `source ${name}: ${what}; nothing after the last committed batch was written; run again to resume from its checkpoint`,
    EXIT.UNREACHABLE,
  );

/** The source's data is bad: fix it (or the definition), then rerun. */
export const sourceDataError = (name: string, what: string): JobError =>
  new JobError(
    `source ${name}: ${what}; nothing from there on was written; fix the source and run again (it resumes at the last committed batch)`,
    EXIT.FAILED,
  );

/** The definition or the saved checkpoint does not fit the source. */
export const sourceConfigError = (name: string, what: string): JobError =>
  new JobError(`source ${name}: ${what}`, EXIT.CONFIG);

/** A positive integer limit, or a config error (a reader never returns an unbounded page). */
export function checkLimit(name: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw sourceConfigError(name, `next(${limit}): the limit must be a positive integer`);
}
