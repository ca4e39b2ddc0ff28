import { createReadStream } from 'node:fs';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { DumpSyntaxError, finishTick, IdSet, intCell, readDumpRows, readWatermark, type EtlContext } from '@wxyc/legacy-etl';
import { advance, emptyCursor, JOB, type FlowsheetCursor } from './cursor.js';
import { importBatch } from './import-batch.js';
import { ENTRY_TABLE, SHOW_TABLE, type LegacyTable } from './legacy-tables.js';

/**
 * Loads a mysqldump of the two tables. The file is streamed twice, shows then entries
 * (mysqldump writes tables alphabetically, entries first, and an entry needs its show).
 * Batches are upserted like the incremental ticks (so a re-run is safe); a new entry carries its
 * dj_name in its INSERT, and a re-loaded show whose DJ name changed renames its entries. The cursor is set at the end, past the highest ids
 * of the dump: the rows of a dump need not be in id order, so a partial load sets nothing.
 */
export async function runBulk(ctx: EtlContext, dumpPath: string): Promise<void> {
  const { sql, log } = ctx;
  const started = Date.now();
  const existing = (await readWatermark<FlowsheetCursor>(sql, JOB)).cursor ?? emptyCursor();
  const seen: FlowsheetCursor = emptyCursor();
  let inserted = 0;
  let resolved = 0;
  let renamed = 0;

  for (const table of [SHOW_TABLE, ENTRY_TABLE] as LegacyTable[]) {
    const key = table === SHOW_TABLE ? 'shows' : 'entries';
    let batch: Record<string, unknown>[] = [];
    let committed = 0;
    const seenIds = new IdSet();
    const flush = async () => {
      const r = await importBatch(sql, table, batch, ctx.bad, null);
      seen[key] = advance(seen[key], batch.map((row) => Number(row.ID)), batch.map((row) => (row.TIME_LAST_MODIFIED ?? null) as number | null));
      committed += batch.length;
      renamed += r.renamed;
      if (table === ENTRY_TABLE) {
        inserted += r.inserted;
        resolved += r.resolved;
      }
      batch = [];
    };
    try {
      for await (const { row, line } of readDumpRows(createReadStream(dumpPath, { highWaterMark: 1 << 20 }), { tables: [table] })) {
        const id = intCell(row.ID);
        if (id === null || id <= 0) throw new DumpSyntaxError(`a row of \`${table}\` has no valid ID (${JSON.stringify(row.ID)})`, line);
        // A repeated id: the later row wins (it is upserted over the earlier one) and is counted.
        if (!seenIds.add(id)) ctx.bad.reject(table, id, 'duplicate legacy id in the dump (the later row was kept)');
        batch.push(row);
        if (batch.length >= ctx.config.batchSize) {
          await flush();
          if (ctx.signal.aborted) return;
        }
      }
      if (batch.length > 0) await flush();
    } catch (err) {
      if (err instanceof DumpSyntaxError) {
        throw new JobError(
          `${dumpPath} ${err.message}. Nothing of the batch in progress was committed (${committed} rows of ${table} were, ` +
            'in earlier batches; re-running the load after fixing the dump is safe). The cursor is unchanged.',
          EXIT.FAILED,
        );
      }
      throw err;
    }
    log.info(`${table}: ${committed} rows loaded from ${dumpPath}.`);
  }

  await sql`SELECT setval(pg_get_serial_sequence('wxyc_schema.shows', 'id'), COALESCE((SELECT max(id) FROM wxyc_schema.shows), 0) + 1, false)`;
  await sql`SELECT setval(pg_get_serial_sequence('wxyc_schema.flowsheet', 'id'), COALESCE((SELECT max(id) FROM wxyc_schema.flowsheet), 0) + 1, false)`;
  const cursor: FlowsheetCursor = {
    shows: merge(existing.shows, seen.shows),
    entries: merge(existing.entries, seen.entries),
  };
  await finishTick(sql, JOB, cursor);
  log.info(`Resolved dj_name for ${resolved}/${inserted} flowsheet entries.`);
  if (renamed > 0) log.info(`Renamed ${renamed} flowsheet entries whose show's DJ name changed.`);
  log.info(
    `bulk load done in ${Date.now() - started} ms; ${ctx.bad.rejectedCount} skipped, ${ctx.bad.repairedCount} repaired; ` +
      `cursor shows ${cursor.shows.maxId}, entries ${cursor.entries.maxId}.`,
  );
}

function merge(a: { maxId: number; maxModified: number | null }, b: { maxId: number; maxModified: number | null }) {
  return {
    maxId: Math.max(a.maxId, b.maxId),
    maxModified: a.maxModified === null ? b.maxModified : b.maxModified === null ? a.maxModified : Math.max(a.maxModified, b.maxModified),
  };
}
