// 0059's index dropped (or left INVALID) after 0059 was recorded: 0061's guard said "Deploy
// again: the runner drops an INVALID index and 0059 builds it again", but 0059 was never pending
// again, so every deploy failed the same way (exit 11, issue #27 item 7). The runner now builds a
// recorded index that is missing or INVALID again, online, before the pending migrations.
// The real `node dev_env/init-db.mjs` on the real history.
import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATIONS_DIR } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { insertShowWithFlowsheet } from '../../support/flowsheet-rows.js';
import { spawnRunner, useScratch } from '../../support/migrate-runner.js';

const { database } = useScratch();
const NEW_INDEX = 'wxyc_schema.flowsheet_search_doc_new_idx';

/** A database at 0059 whose backfills are done, so only 0061's index guard can refuse. */
async function at0059(): Promise<TestDatabase> {
  const db = await database();
  await migrateWithDrizzle(db.url, { upTo: '0059' });
  await insertShowWithFlowsheet(db.sql, 300);
  // the trigger fills search_doc_new of every row it touches
  await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = CASE WHEN entry_type = 'track' THEN 'DJ Bluejay' END`;
  return db;
}
const indexState = async (db: TestDatabase, name: string) =>
  (
    await db.sql<{ valid: boolean }[]>`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass(${name})`
  )[0]?.valid ?? 'missing';
const deploy = async (db: TestDatabase) => {
  const p = spawnRunner(db.url, { dir: MIGRATIONS_DIR });
  const { code } = await p.exited;
  return { code, output: p.output() };
};

describe("0059's recorded index, gone before 0061", () => {
  it('dropped after 0059 was recorded: the next deploy builds it again and applies 0061 (was exit 11 on every deploy)', async () => {
    const db = await at0059();
    await db.sql.unsafe(`DROP INDEX ${NEW_INDEX}`);
    const r = await deploy(db);
    expect(r.code, r.output).toBe(MIGRATE_EXIT.OK);
    expect(r.output).toContain(
      `warning: 0059_flowsheet-search-doc-index is applied but its index wxyc_schema.flowsheet_search_doc_new_idx is missing or INVALID; building it again (online)`,
    );
    expect(r.output.indexOf('rebuilt the index of 0059_flowsheet-search-doc-index')).toBeLessThan(
      r.output.indexOf('applying 0061_flowsheet-search-doc-switch'),
    );
    expect(await indexState(db, 'wxyc_schema.flowsheet_search_doc_idx')).toBe(true); // 0061 renamed it into place

    // after 0061 the old name is gone on purpose: a later applied migration stops the repair
    const again = await deploy(db);
    expect(again.code, again.output).toBe(MIGRATE_EXIT.OK);
    expect(again.output).not.toContain('building it again');
    expect(again.output).toContain('database is up to date');
  });

  it('INVALID after 0059 was recorded (say a failed REINDEX CONCURRENTLY): dropped and built again, then 0061', async () => {
    const db = await at0059();
    await db.sql`UPDATE pg_index SET indisvalid = false WHERE indexrelid = ${NEW_INDEX}::regclass`;
    const r = await deploy(db);
    expect(r.code, r.output).toBe(MIGRATE_EXIT.OK);
    expect(r.output).toContain('dropped INVALID index wxyc_schema.flowsheet_search_doc_new_idx');
    expect(await indexState(db, 'wxyc_schema.flowsheet_search_doc_idx')).toBe(true);
  });

  it('a valid recorded index is left alone', async () => {
    const db = await at0059();
    const [before] = await db.sql<{ oid: number }[]>`SELECT ${NEW_INDEX}::regclass::oid::int AS oid`;
    const r = await deploy(db);
    expect(r.code, r.output).toBe(MIGRATE_EXIT.OK);
    expect(r.output).not.toContain('building it again');
    const [after] = await db.sql<
      { oid: number }[]
    >`SELECT 'wxyc_schema.flowsheet_search_doc_idx'::regclass::oid::int AS oid`;
    expect(after!.oid).toBe(before!.oid);
  });
});
