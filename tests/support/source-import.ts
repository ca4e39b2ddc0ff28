// Test-only driver of a source-fed import, the steps the engine runs per batch: read a batch from
// the source (nothing open on the database), then one transaction that writes it (writeStaged)
// and saves the checkpoint, then commit. Not a runner of the library: the engine calls the same
// functions in its own loop.
import type { Sql } from 'postgres';
import {
  ensureCheckpointTable,
  loadCheckpoint,
  saveCheckpoint,
  writeStaged,
  type Queryable,
  type SourceImport,
} from '@wxyc/backfill';

export interface ImportResult {
  batches: number;
  records: number;
  written: number;
}

export async function importAll(
  sql: Sql,
  def: SourceImport,
  opts: { batchSize: number; inBatch?: (batch: number, tx: Queryable) => Promise<void> | void },
): Promise<ImportResult> {
  await ensureCheckpointTable(sql);
  const saved = await loadCheckpoint(sql, def.name);
  const out: ImportResult = { batches: 0, records: 0, written: 0 };
  if (saved?.done) return out;
  const reader = await def.source.open(saved?.checkpoint ?? null);
  try {
    for (;;) {
      const batch = await reader.next(opts.batchSize);
      await sql.begin(async (tx) => {
        out.written += await writeStaged(tx, def, batch.records);
        await opts.inBatch?.(out.batches + 1, tx);
        await saveCheckpoint(tx, def.name, batch.checkpoint, batch.records.length, batch.done);
      });
      out.batches += 1;
      out.records += batch.records.length;
      if (batch.done) return out;
    }
  } finally {
    await reader.close();
  }
}
