import { keyOf, pageQuery, tableReadProblem, type Dialect, type TableRead } from './keyset.js';
import { checkLimit, sourceConfigError, type Checkpoint, type SourceReader, type SourceRecord } from './source.js';

/** The key values a checkpoint `{ after: [...] }` resumes after (null: from the start). */
export function afterOf(label: string, read: TableRead, checkpoint: Checkpoint | null): unknown[] | null {
  if (checkpoint === null) return null;
  const after = (checkpoint as { after?: unknown }).after;
  if (!Array.isArray(after) || after.length !== read.key.length || after.some((v) => v === null)) {
    throw sourceConfigError(
      label,
      `checkpoint ${JSON.stringify(checkpoint)} is not ${read.key.length} key value(s) of (${read.key.join(', ')}); rerun with --reset to start over`,
    );
  }
  return after;
}

export function checkTableRead(label: string, read: TableRead): void {
  const problem = tableReadProblem(read);
  if (problem) throw sourceConfigError(label, problem);
}

/**
 * Pages of a table in key order through `query` (MySQL or PostgreSQL): one page in memory at a
 * time, the checkpoint the last record's key. A short page is the end.
 */
export function keysetReader(
  label: string,
  dialect: Dialect,
  read: TableRead,
  start: unknown[] | null,
  query: (sql: string, params: unknown[]) => Promise<SourceRecord[]>,
  close: () => Promise<void>,
): SourceReader {
  let after = start;
  let done = false;
  return {
    async next(limit) {
      checkLimit(label, limit);
      if (done) return { records: [], checkpoint: after === null ? null : { after: after as never }, done };
      const q = pageQuery(dialect, read, after, limit);
      const records = (await query(q.sql, q.params)).map((r) => ({ ...r }));
      const last = records.at(-1);
      if (last) {
        const k = keyOf(read, last);
        if (k.some((v) => v === null || v === undefined)) {
          throw sourceConfigError(
            label,
            `a row has no value for key (${read.key.join(', ')}): the select list must return the key columns, NOT NULL`,
          );
        }
        after = k;
      }
      done = records.length < limit;
      return { records, checkpoint: after === null ? null : { after: after as never }, done };
    },
    close,
  };
}
