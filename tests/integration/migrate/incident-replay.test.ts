// The incident, replayed: production at 0052 with a big flowsheet, someone holding ACCESS
// EXCLUSIVE on it. The runner must refuse, then apply 0053 and the expand 0054 quickly (and the
// unrelated migrations after them), stop at the switch 0061's guard, and finish once the backfills
// have filled dj_name and search_doc_new.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATIONS_DIR, readJournal } from '@wxyc/database';
import { useTestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { insertShowWithFlowsheet } from '../../support/flowsheet-rows.js';
import { runRunner } from '../../support/migrate-runner.js';

const db = useTestDatabase('empty');
const ROWS = 100_000;
let locker: postgres.Sql;

beforeAll(async () => {
  await migrateWithDrizzle(db.url, { upTo: '0052' });
  await insertShowWithFlowsheet(db.sql, ROWS);
  locker = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: 'stuck-session' } });
}, 120_000);
afterAll(async () => {
  await locker?.end({ timeout: 1 });
});

const recorded = async () =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n;

describe('incident replay', () => {
  it('refuses within a few seconds while another session holds ACCESS EXCLUSIVE on wxyc_schema.flowsheet', async () => {
    const tx = await locker.reserve();
    await tx`BEGIN`;
    await tx`LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE`;
    try {
      const started = Date.now();
      const r = await runRunner(db.url, { dir: MIGRATIONS_DIR });
      const tookMs = Date.now() - started;
      expect(r.code).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
      expect(r.output).toContain(
        "holds AccessExclusiveLock on wxyc_schema.flowsheet (application_name 'stuck-session'",
      );
      // Generous: the bound only has to tell "refused at once" from waiting out a lock.
      expect(tookMs).toBeLessThan(15_000);
      expect(await recorded()).toBe(53);
      console.log(`[incident] refused in ${tookMs} ms`);
    } finally {
      await tx`ROLLBACK`;
      tx.release();
    }
  });

  it('once the lock is gone: 0053, 0054 and the rest apply without rewriting the 100k rows, 0061 stops at its guard', async () => {
    const filenode = async () =>
      (await db.sql<{ f: string }[]>`SELECT pg_relation_filenode('wxyc_schema.flowsheet')::text AS f`)[0]!.f;
    const before = await filenode();
    const r = await runRunner(db.url, { dir: MIGRATIONS_DIR });
    expect(r.code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    // Its speed is a consequence of being catalog-only; timing it here would only measure
    // the machine's load (the time is printed below and by pnpm demo:incident).
    const ms = Number(r.output.match(/applied 0053_flowsheet-dj-name-column in (\d+) ms/)?.[1]);
    expect(Number.isFinite(ms)).toBe(true);
    expect(await filenode()).toBe(before);
    expect(r.output).toContain(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0061 [SQLSTATE P0001]',
    );
    expect(r.output).toContain(
      `detail: ${ROWS * 0.9} track rows have dj_name IS NULL and a DJ name the backfill can fill`,
    );
    expect(r.output).toContain('hint: See docs/runbooks/flowsheet-dj-name-backfill.md, then deploy again.');
    expect(r.output).toContain('applied 0054_flowsheet-search-doc-expand');
    expect(r.output).toContain('applied 0055_add-reconciled-identity-to-artists');
    expect(await recorded()).toBe(readJournal(MIGRATIONS_DIR).entries.findIndex((e) => e.tag.startsWith('0061')));
    console.log(`[incident] 0053 on ${ROWS} rows: ${ms} ms`);
  });

  it('after the backfills, the switch 0061 applies', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay'`; // the trigger fills search_doc_new too
    const r = await runRunner(db.url, { dir: MIGRATIONS_DIR });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('applying 0061_flowsheet-search-doc-switch');
    expect(await recorded()).toBe(readJournal(MIGRATIONS_DIR).entries.length);
    const [hit] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE search_doc @@ to_tsquery('simple', 'bluejay')`;
    expect(hit!.n).toBe(ROWS);
  }, 120_000);
});
