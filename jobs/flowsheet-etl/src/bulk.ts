import { createReadStream } from 'node:fs';
import { EXIT, JobError } from '@wxyc/job-runtime';
import {
  advance,
  assertTickLock,
  DumpSyntaxError,
  finishTick,
  IdSet,
  intCell,
  newestStamp,
  nextModifiedMark,
  readDumpRows,
  readWatermark,
  type EtlContext,
  type LegacyRow,
} from '@wxyc/legacy-etl';
import { ENTRY_TABLE, SHOW_TABLE, type LegacyTable } from './legacy-tables.js';
import { mergeLinks, type PendingLink } from './links.js';
import { mergePendingEntries } from './pending.js';
import { cursorOf, emptyCursor, JOB, type FlowsheetCursor } from './tick.js';
import { writeEntryPage, writeShowPage } from './write.js';

/**
 * Loads a mysqldump of the two tables. The file is streamed twice, shows then entries
 * (mysqldump writes tables alphabetically, entries first, and an entry needs its show).
 * Batches are upserted like the incremental ticks (so a re-run is safe); a new entry carries its
 * dj_name in its INSERT, and a re-loaded show whose DJ name changed renames its entries. The
 * cursor is set at the end, past the highest ids of the dump: the rows of a dump need not be in id order, so a partial load sets nothing.
 */
export async function runBulk(ctx: EtlContext, dumpPath: string): Promise<void> {
  const { sql, log } = ctx;
  const started = Date.now();
  const existing = cursorOf((await readWatermark<FlowsheetCursor>(sql, JOB)).cursor);
  const seen: FlowsheetCursor = emptyCursor();
  const newest = { shows: null as number | null, entries: null as number | null };
  let pending = existing.pendingEntries;
  let links = existing.pendingLinks;
  let inserted = 0;
  let resolved = 0;
  let renamed = 0;

  for (const table of [SHOW_TABLE, ENTRY_TABLE] as LegacyTable[]) {
    const key = table === SHOW_TABLE ? 'shows' : 'entries';
    let batch: Record<string, unknown>[] = [];
    let committed = 0;
    const seenIds = new IdSet();
    const flush = async () => {
      const r = await importBatch(ctx, table, batch, pending, links);
      pending = r.pending;
      links = r.links;
      seen[key] = advance(
        seen[key],
        batch.map((row) => Number(row.ID)),
      );
      newest[key] = newestStamp(
        newest[key],
        batch.map((row) => intCell(row.TIME_LAST_MODIFIED as number)),
      );
      committed += batch.length;
      inserted += r.inserted;
      resolved += r.resolved;
      renamed += r.renamed;
      batch = [];
    };
    try {
      for await (const { row, line } of readDumpRows(createReadStream(dumpPath, { highWaterMark: 1 << 20 }), {
        tables: [table],
      })) {
        const id = intCell(row.ID);
        if (id === null || id <= 0)
          throw new DumpSyntaxError(`a row of \`${table}\` has no valid ID (${JSON.stringify(row.ID)})`, line);
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
  // A dump is a snapshot: edits made after it carry newer stamps than any row in it (nextModifiedMark).
  const mark = (k: 'shows' | 'entries') =>
    nextModifiedMark(existing[k].maxModified, newest[k], Date.now(), ctx.config.modifiedOverlapMs);
  const cursor: FlowsheetCursor = {
    shows: { ...existing.shows, maxId: Math.max(existing.shows.maxId, seen.shows.maxId), maxModified: mark('shows') },
    entries: {
      ...existing.entries,
      maxId: Math.max(existing.entries.maxId, seen.entries.maxId),
      maxModified: mark('entries'),
    },
    pendingEntries: pending,
    pendingLinks: links,
  };
  await finishTick(sql, JOB, cursor);
  log.info(`Resolved dj_name for ${resolved}/${inserted} flowsheet entries.`);
  if (renamed > 0) log.info(`Renamed ${renamed} flowsheet entries whose show's DJ name changed.`);
  log.info(
    `bulk load done in ${Date.now() - started} ms; ${ctx.bad.rejectedCount} skipped, ${ctx.bad.repairedCount} repaired; ` +
      `cursor shows ${cursor.shows.maxId}, entries ${cursor.entries.maxId}.`,
  );
}

/**
 * One batch of dump rows in one transaction: shows (the entries of updated shows renamed with
 * them), or entries (each new one with its dj_name in the INSERT; those whose show is not imported join the pending entries the ticks retry, those
 * whose release or rotation row is not imported the pending links).
 */
async function importBatch(
  ctx: EtlContext,
  table: LegacyTable,
  rows: LegacyRow[],
  pending: number[],
  links: PendingLink[],
) {
  return ctx.sql.begin(async (tx) => {
    await assertTickLock(tx, JOB);
    if (table === SHOW_TABLE) {
      const shows = await writeShowPage(tx, rows, ctx.bad);
      return { inserted: 0, resolved: 0, renamed: shows.renamed, pending, links, results: shows.results };
    }
    const r = await writeEntryPage(tx, rows, ctx.bad);
    const ids = rows.map((row) => intCell(row.ID as number)!);
    const merged = mergePendingEntries(pending, ids, r.waiting);
    for (const id of merged.dropped) ctx.bad.reject(ENTRY_TABLE, id, 'dropped from the pending entries (list full)');
    return {
      inserted: r.results.filter((x) => x.inserted).length,
      resolved: r.resolved,
      renamed: 0,
      pending: merged.pending,
      links: mergeLinks(links, ids, r.links),
      results: r.results,
    };
  });
}
