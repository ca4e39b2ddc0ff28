// LIBRARY_CODE and LIBRARY_RELEASE have no index on their time columns: every query of a tick
// must be a PRIMARY key range, whatever the table size. Proved with MariaDB's own EXPLAIN.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectLegacy, type LegacySource } from '@wxyc/legacy-etl';
import { findMysqlServer, LEGACY_LIBRARY_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyCode, legacyRelease } from '../../support/legacy/catalogue-rows.js';
import { CODE_QUERIES, RELEASE_QUERIES } from '../../../jobs/library-etl/src/legacy-tables.js';

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL]);
let source: LegacySource;

describe.skipIf(!server)('library-etl queries on MariaDB', () => {
  beforeAll(async () => {
    await insertLegacy(
      legacy.conn,
      'LIBRARY_CODE',
      Array.from({ length: 2_000 }, (_, i) => legacyCode(i + 1)),
    );
    await insertLegacy(
      legacy.conn,
      'LIBRARY_RELEASE',
      Array.from({ length: 20_000 }, (_, i) => legacyRelease(i + 1, 1 + (i % 2_000))),
    );
    await legacy.conn.query('ANALYZE TABLE LIBRARY_CODE, LIBRARY_RELEASE');
    source = await connectLegacy(legacy.url);
    return () => source.close();
  });

  it.each([
    ['LIBRARY_RELEASE', RELEASE_QUERIES],
    ['LIBRARY_CODE', CODE_QUERIES],
  ] as const)(
    '%s: new rows, edits of the window and a sweep slice are PRIMARY ranges of about their width',
    async (table, q) => {
      const plans = [
        await source.explain(q.newRows, [1_900, 2_000, 500]),
        await source.explain(q.editedRows, [1_000, 2_000, 0, 500]),
      ];
      for (const [plan] of plans) {
        expect(plan).toMatchObject({ table, type: 'range', key: 'PRIMARY' });
        expect(plan!.rows).toBeLessThanOrEqual(1_200);
      }
    },
  );

  it('the id bound comes from the index', async () => {
    const [plan] = await source.explain(RELEASE_QUERIES.maxId);
    expect(plan!.Extra).toMatch(/Select tables optimized away/);
  });
});
