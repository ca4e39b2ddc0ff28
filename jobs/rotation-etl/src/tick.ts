import {
  emptyTableCursor,
  finishTick,
  readWatermark,
  saveCursor,
  syncTables,
  verifyTables,
  withVerifyAhead,
  writePage,
  type EtlContext,
  type SyncedTable,
  type TableCursor,
  type VerifyMode,
} from '@wxyc/legacy-etl';
import { ROTATION_MIRROR, ROTATION_QUERIES } from './legacy-tables.js';
import { mapRotation } from './mapping.js';
import { mergePending, resolvePendingLinks, writeRotation, type PendingLink } from './write.js';

export const JOB = 'rotation-etl';

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'rotation-etl'. */
export interface RotationCursor {
  rotation: TableCursor;
  /** Entries whose library release was not imported when they were: linked once it is. */
  pendingLinks: PendingLink[];
}

/** ROTATION_RELEASE as syncTables and verifyTables take it. */
export function rotationTables(ctx: EtlContext): SyncedTable<'rotation', RotationCursor>[] {
  const { sql, bad } = ctx;
  const now = Date.now();
  return [
    {
      key: 'rotation',
      queries: ROTATION_QUERIES,
      sweep: true,
      mirror: ROTATION_MIRROR,
      importPage: (rows, next) =>
        writePage(sql, JOB, next, async (tx) => {
          const { results, links } = await writeRotation(
            tx,
            rows.map((r) => mapRotation(r, bad, now)).filter((e) => e !== null),
          );
          return { results, cursor: { ...next, pendingLinks: mergePending(next.pendingLinks, links) } };
        }),
    },
  ];
}

async function startOf(ctx: EtlContext): Promise<RotationCursor> {
  const saved = (await readWatermark<RotationCursor>(ctx.sql, JOB)).cursor;
  return { rotation: saved?.rotation ?? emptyTableCursor(), pendingLinks: saved?.pendingLinks ?? [] };
}

/** `--verify [--repair]`: one whole verification pass over the rotation, with progress. */
export async function runVerify(ctx: EtlContext, { repair, confirmDeleted }: VerifyMode): Promise<void> {
  await verifyTables(ctx, rotationTables, await startOf(ctx), {
    budgetRows: null,
    repair,
    progress: true,
    confirmDeleted,
  });
}

/**
 * One cron tick: first link entries whose library release has been imported since, then sync
 * ROTATION_RELEASE by primary key (new rows, recent edits, a slice of older rows per tick),
 * then a budgeted slice of the verification pass (slicePlan, repairing).
 * An entry that left rotation keeps its row, closed by its kill_date.
 */
export async function runTick(ctx: EtlContext): Promise<void> {
  const { sql, log, bad } = ctx;
  const started = Date.now();
  let start = await startOf(ctx);

  const linked = await sql.begin(async (tx) => {
    const r = await resolvePendingLinks(tx, start.pendingLinks);
    if (r.linked > 0 || r.pending.length !== start.pendingLinks.length) {
      start = { ...start, pendingLinks: r.pending };
      await saveCursor(tx, JOB, start);
    }
    return r.linked;
  });

  // The verification slice's checksums run on their own MySQL connection meanwhile (withVerifyAhead).
  const done = await withVerifyAhead(ctx, rotationTables(ctx), start, async (ahead) => {
    const synced = await syncTables(ctx, rotationTables(ctx), start);
    if (ctx.signal.aborted) return null;
    const { cursor } = await verifyTables(ctx, rotationTables, synced.cursor, {
      budgetRows: ctx.config.verifyRowsPerTick,
      repair: true,
      ahead,
    });
    return { totals: synced.totals, cursor };
  });
  if (!done || ctx.signal.aborted) return;
  const { totals, cursor } = done;
  await finishTick(sql, JOB, cursor);

  const t = totals.rotation;
  log.info(
    `tick done in ${Date.now() - started} ms: rotation ${t.inserted} new, ${t.updated} updated (${t.read} legacy rows read); ` +
      `${linked} linked to library releases imported since, ${cursor.pendingLinks.length} still waiting for theirs; ` +
      `${bad.rejectedCount} skipped, ${bad.repairedCount} repaired; cursor ${cursor.rotation.maxId}.`,
  );
}
