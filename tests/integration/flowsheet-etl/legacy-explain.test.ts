// The legacy tables have no index on their time columns: the job's queries must be PRIMARY key
// range scans, whatever the table size. Proved with MariaDB's own EXPLAIN.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectLegacy, type LegacySource } from '@wxyc/legacy-etl';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { ENTRY_QUERIES, ENTRY_TABLE, SHOW_QUERIES, SHOW_TABLE } from '../../../jobs/flowsheet-etl/src/legacy-tables.js';

const QUERIES = { [ENTRY_TABLE]: ENTRY_QUERIES, [SHOW_TABLE]: SHOW_QUERIES };

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
let source: LegacySource;

describe.skipIf(!server)('legacy queries on MariaDB', () => {
  beforeAll(async () => {
    await insertLegacy(
      legacy.conn,
      SHOW_TABLE,
      Array.from({ length: 2_000 }, (_, i) => legacyShow(i + 1)),
    );
    await insertLegacy(
      legacy.conn,
      ENTRY_TABLE,
      Array.from({ length: 20_000 }, (_, i) => legacyEntry(i + 1, 1 + (i % 2_000))),
    );
    await legacy.conn.query(`ANALYZE TABLE ${SHOW_TABLE}, ${ENTRY_TABLE}`);
    source = await connectLegacy(legacy.url);
    return () => source.close();
  });

  it.each([ENTRY_TABLE, SHOW_TABLE] as const)('new rows of %s: a range scan of PRIMARY', async (table) => {
    const [plan] = await source.explain(QUERIES[table].newRows, [1_500, 1_540, 1000]);
    expect(plan).toMatchObject({ table, type: 'range', key: 'PRIMARY' });
    expect(plan!.rows).toBeLessThanOrEqual(100);
  });

  it('new entries page from a high id reads about a page, not the table', async () => {
    const [plan] = await source.explain(ENTRY_QUERIES.newRows, [19_000, 20_000, 500]);
    expect(plan).toMatchObject({ type: 'range', key: 'PRIMARY' });
    expect(plan!.rows).toBeLessThan(2_000);
  });

  it('edits: TIME_LAST_MODIFIED is checked only inside the PRIMARY range of the id window', async () => {
    const [plan] = await source.explain(ENTRY_QUERIES.editedRows, [15_000, 20_000, 0, 1000]);
    expect(plan).toMatchObject({ type: 'range', key: 'PRIMARY' });
    expect(plan!.rows).toBeLessThan(10_000);
  });

  it('pending entries are read by id: PRIMARY lookups of exactly those ids', async () => {
    const [plan] = await source.explain(ENTRY_QUERIES.byIds, [[5, 500, 5_000]]);
    expect(plan).toMatchObject({ type: 'range', key: 'PRIMARY' });
    expect(plan!.rows).toBeLessThanOrEqual(3);
  });

  it('for contrast: the old time filter reads the whole table', async () => {
    const [plan] = await source.explain(
      `SELECT ID FROM ${ENTRY_TABLE} WHERE TIME_LAST_MODIFIED > ? OR TIME_CREATED > ?`,
      [0, 0],
    );
    expect(plan).toMatchObject({ type: 'ALL', key: null });
  });

  it('the id bound (MAX of the key) comes from the index', async () => {
    const [plan] = await source.explain(ENTRY_QUERIES.maxId);
    expect(plan!.Extra).toMatch(/Select tables optimized away/);
    expect((await source.query(ENTRY_QUERIES.maxId))[0]).toEqual({ max_id: 20_000 });
  });
});
