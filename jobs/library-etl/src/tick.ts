import {
  emptyTableCursor,
  finishTick,
  readWatermark,
  syncTables,
  verifyTables,
  withVerifyAhead,
  writePage,
  type EtlContext,
  type SyncedTable,
  type TableCursor,
  type VerifyMode,
} from '@wxyc/legacy-etl';
import {
  ARTISTS_MIRROR,
  CODE_QUERIES,
  FORMAT_TABLE,
  GENRE_TABLE,
  LIBRARY_MIRROR,
  lookupSql,
  RELEASE_QUERIES,
} from './legacy-tables.js';
import { mapArtist, mapLookup, mapRelease } from './mapping.js';
import { writeArtists, writeFormats, writeGenres, writeReleases } from './write.js';

export const JOB = 'library-etl';

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'library-etl'. */
export interface LibraryCursor {
  artists: TableCursor;
  releases: TableCursor;
}

/** Artist cards, then releases (a release needs its artist), as syncTables and verifyTables take them. */
export function libraryTables(ctx: EtlContext): SyncedTable<keyof LibraryCursor, LibraryCursor>[] {
  const { sql, bad } = ctx;
  const now = Date.now();
  return [
    {
      key: 'artists',
      queries: CODE_QUERIES,
      sweep: true,
      mirror: ARTISTS_MIRROR,
      importPage: (rows, next) =>
        writePage(sql, JOB, next, (tx) =>
          writeArtists(
            tx,
            rows.map((r) => mapArtist(r, bad, now)).filter((a) => a !== null),
          ),
        ),
    },
    {
      key: 'releases',
      queries: RELEASE_QUERIES,
      sweep: true,
      mirror: LIBRARY_MIRROR,
      importPage: (rows, next) =>
        writePage(sql, JOB, next, (tx) =>
          writeReleases(
            tx,
            rows.map((r) => mapRelease(r, bad, now)).filter((r) => r !== null),
            bad,
          ),
        ),
    },
  ];
}

const startOf = async (ctx: EtlContext): Promise<LibraryCursor> =>
  (await readWatermark<LibraryCursor>(ctx.sql, JOB)).cursor ?? {
    artists: emptyTableCursor(),
    releases: emptyTableCursor(),
  };

/** `--verify [--repair]`: one whole verification pass over artists and releases, with progress. */
export async function runVerify(ctx: EtlContext, { repair, confirmDeleted }: VerifyMode): Promise<void> {
  await verifyTables(ctx, libraryTables, await startOf(ctx), {
    budgetRows: null,
    repair,
    progress: true,
    confirmDeleted,
  });
}

/**
 * One cron tick: genres and formats (read whole: a few dozen rows), then artist cards, then
 * releases (a release needs its artist). Artists and releases are synced by primary key:
 * new rows, edits in the recent id window, and a slice of older rows per tick (a release is
 * often lost, or found, years after it was catalogued); then a budgeted slice of the
 * verification pass (slicePlan: per table, repairing). last_run is stamped at the end.
 */
export async function runTick(ctx: EtlContext): Promise<void> {
  const { sql, legacy, log, bad } = ctx;
  const started = Date.now();
  const start = await startOf(ctx);

  // The verification slice's checksums run on their own MySQL connection meanwhile (withVerifyAhead).
  const done = await withVerifyAhead(ctx, libraryTables(ctx), start, async (ahead) => {
    const genres = (await legacy.query(lookupSql(GENRE_TABLE)))
      .map((r) => mapLookup(GENRE_TABLE, r, bad))
      .filter((g) => g !== null);
    const formats = (await legacy.query(lookupSql(FORMAT_TABLE)))
      .map((r) => mapLookup(FORMAT_TABLE, r, bad))
      .filter((f) => f !== null);
    const lookups = await sql.begin(async (tx) => [
      (await writeGenres(tx, genres)).length,
      (await writeFormats(tx, formats)).length,
    ]);
    const synced = await syncTables(ctx, libraryTables(ctx), start);
    if (ctx.signal.aborted) return null;
    const { cursor } = await verifyTables(ctx, libraryTables, synced.cursor, {
      budgetRows: ctx.config.verifyRowsPerTick,
      repair: true,
      ahead,
    });
    return { lookups, totals: synced.totals, cursor };
  });
  if (!done || ctx.signal.aborted) return;
  const { lookups, totals, cursor } = done;
  await finishTick(sql, JOB, cursor);

  const a = totals.artists;
  const r = totals.releases;
  log.info(
    `tick done in ${Date.now() - started} ms: ${lookups[0]} genres and ${lookups[1]} formats written; ` +
      `artists ${a.inserted} new, ${a.updated} updated; releases ${r.inserted} new, ${r.updated} updated ` +
      `(${a.read + r.read} legacy rows read); ${bad.rejectedCount} skipped, ${bad.repairedCount} repaired; ` +
      `cursor artists ${cursor.artists.maxId}, releases ${cursor.releases.maxId}.`,
  );
}
