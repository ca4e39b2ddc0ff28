import type { Sql as PgSql } from 'postgres';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { isDataError } from '../policy.js';
import { recordKey, stagedStatement, stagingJson, type StagedColumn } from './stage.js';
import type { SourceRecord } from './source.js';

/** A pool, a reserved connection or a transaction: only `unsafe` is used. */
export type Queryable = Pick<PgSql, 'unsafe'>;

/** What a source-fed definition declares besides its source: how a batch is staged and written. */
export interface StagedWrite {
  /** Names the import in error lines (and its checkpoint). */
  name: string;
  /** The record fields staged, with the SQL types they are read as (the CTE `staged`). */
  columns: readonly StagedColumn[];
  /** Record fields that name a record in an error line (`id`, or `played_at, id`). */
  key: readonly string[];
  /**
   * One statement reading the CTE `staged`, constant text: `INSERT INTO t (a, b) SELECT a, b
   * FROM staged ON CONFLICT (a) DO UPDATE ...`, `UPDATE t SET ... FROM staged WHERE ...`.
   */
  write: string;
}

/** Runs `write` over `records`; the row count it reports, or the statement's error. */
const run = async (tx: Queryable, text: string, def: StagedWrite, records: readonly SourceRecord[]) =>
  (await tx.unsafe(text, [stagingJson(records, def.columns, def.key, `import ${def.name}`)])).count;

/** Whether writing the first `n` records fails on a data error; always rolled back. */
async function prefixFails(
  tx: Queryable,
  text: string,
  def: StagedWrite,
  records: readonly SourceRecord[],
  n: number,
): Promise<Error | null> {
  await tx.unsafe('SAVEPOINT source_probe');
  try {
    await run(tx, text, def, records.slice(0, n));
    return null;
  } catch (err) {
    if (!isDataError(err)) throw err;
    return err as Error;
  } finally {
    await tx.unsafe('ROLLBACK TO SAVEPOINT source_probe');
  }
}

/**
 * The first record whose write fails, by bisecting prefixes (log2(n) probes, each rolled back):
 * the record itself, or its clash with one before it (a duplicate key within the batch).
 */
async function firstFailing(
  tx: Queryable,
  text: string,
  def: StagedWrite,
  records: readonly SourceRecord[],
): Promise<{ index: number; err: Error }> {
  let lo = 1;
  let hi = records.length;
  let err: Error | null = null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const e = await prefixFails(tx, text, def, records, mid);
    if (e) {
      hi = mid;
      err = e;
    } else lo = mid + 1;
  }
  err ??= await prefixFails(tx, text, def, records, lo);
  return { index: lo - 1, err: err ?? new Error('the batch failed as a whole but no prefix of it does') };
}

/**
 * Writes one batch of source records inside the caller's transaction (the engine's batch
 * transaction, which then saves the checkpoint and commits): staged as `jsonb_to_recordset` in
 * the same statement, so nothing needs a temp table or a particular connection. A data error
 * (class 22/23: a constraint, a bad value for a type) is bisected to the record that causes it,
 * and thrown as one line naming that record's key: the caller rolls the batch back, its
 * checkpoint is not saved, a rerun starts at the same batch. Returns the row count of `write`.
 */
export async function writeStaged(tx: Queryable, def: StagedWrite, records: readonly SourceRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const text = stagedStatement(def.columns, def.write);
  await tx.unsafe('SAVEPOINT source_batch');
  try {
    const count = await run(tx, text, def, records);
    await tx.unsafe('RELEASE SAVEPOINT source_batch');
    return count;
  } catch (err) {
    if (!isDataError(err)) throw err;
    await tx.unsafe('ROLLBACK TO SAVEPOINT source_batch');
    const { index, err: cause } = await firstFailing(tx, text, def, records);
    const code = (cause as { code?: string }).code;
    // the server's message only: its detail can quote personal values
    throw new JobError(
      `import ${def.name}: record ${recordKey(records[index]!, def.key)} (${index + 1} of a batch of ${records.length}) was refused: ${cause.message}${code ? ` (SQLSTATE ${code})` : ''}; ` +
        'the batch was rolled back and its checkpoint not saved; fix the record or the write, then run again (it resumes at this batch)',
      EXIT.FAILED,
    );
  }
}
