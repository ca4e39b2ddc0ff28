import { checkLimit, sourceConfigError, type Checkpoint, type RecordSource, type SourceRecord } from './source.js';

/** The offset saved in a checkpoint `{ [field]: n }`, checked against its bound. */
export function offsetOf(
  label: string,
  checkpoint: Checkpoint | null,
  field: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (checkpoint === null) return 0;
  const at = (checkpoint as Record<string, unknown>)[field];
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > max) {
    throw sourceConfigError(
      label,
      `checkpoint ${JSON.stringify(checkpoint)} has no valid ${field} (0..${max}); rerun with --reset to start over`,
    );
  }
  return at;
}

/**
 * A literal list written in the definition (a few hundred ids to repair, say). The checkpoint is
 * the count of records already committed: the list must not be reordered between runs.
 */
export function literalSource<R = SourceRecord>(name: string, records: readonly R[]): RecordSource<R> {
  const label = `list ${name} (${records.length} records)`;
  return {
    name: label,
    async open(checkpoint) {
      let at = offsetOf(label, checkpoint, 'offset', records.length);
      return {
        async next(limit) {
          checkLimit(label, limit);
          const page = records.slice(at, at + limit);
          at += page.length;
          return { records: page, checkpoint: { offset: at }, done: at >= records.length };
        },
        async close() {},
      };
    },
  };
}
