import { emptyTableCursor, finishTick, readWatermark, saveCursor, syncTables, writePage, type EtlContext, type TableCursor } from '@wxyc/legacy-etl';
import { ROTATION_QUERIES } from './legacy-tables.js';
import { mapRotation } from './mapping.js';
import { mergePending, resolvePendingLinks, writeRotation, type PendingLink } from './write.js';

export const JOB = 'rotation-etl';

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'rotation-etl'. */
export interface RotationCursor {
  rotation: TableCursor;
  /** Entries whose library release was not imported when they were: linked once it is. */
  pendingLinks: PendingLink[];
}

/**
 * One cron tick: first link entries whose library release has been imported since, then sync
 * ROTATION_RELEASE by primary key (new rows, recent edits, a slice of older rows per tick).
 * An entry that left rotation keeps its row, closed by its kill_date.
 */
export async function runTick(ctx: EtlContext): Promise<void> {
  const { sql, log, bad } = ctx;
  const started = Date.now();
  const saved = (await readWatermark<RotationCursor>(sql, JOB)).cursor;
  let start: RotationCursor = { rotation: saved?.rotation ?? emptyTableCursor(), pendingLinks: saved?.pendingLinks ?? [] };

  const linked = await sql.begin(async (tx) => {
    const r = await resolvePendingLinks(tx, start.pendingLinks);
    if (r.linked > 0 || r.pending.length !== start.pendingLinks.length) {
      start = { ...start, pendingLinks: r.pending };
      await saveCursor(tx, JOB, start);
    }
    return r.linked;
  });

  const now = Date.now();
  const { cursor, totals } = await syncTables<'rotation', RotationCursor>(
    ctx,
    [
      {
        key: 'rotation',
        queries: ROTATION_QUERIES,
        sweep: true,
        importPage: (rows, next) =>
          writePage(sql, JOB, next, async (tx) => {
            const { results, links } = await writeRotation(tx, rows.map((r) => mapRotation(r, bad, now)).filter((e) => e !== null));
            return { results, cursor: { ...next, pendingLinks: mergePending(next.pendingLinks, links) } };
          }),
      },
    ],
    start,
  );
  if (ctx.signal.aborted) return;
  await finishTick(sql, JOB, cursor);

  const t = totals.rotation;
  log.info(
    `tick done in ${Date.now() - started} ms: rotation ${t.inserted} new, ${t.updated} updated (${t.read} legacy rows read); ` +
      `${linked} linked to library releases imported since, ${cursor.pendingLinks.length} still waiting for theirs; ` +
      `${bad.rejectedCount} skipped, ${bad.repairedCount} repaired; cursor ${cursor.rotation.maxId}.`,
  );
}
