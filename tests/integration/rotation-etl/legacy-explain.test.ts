// ROTATION_RELEASE is read by PRIMARY key ranges; its label comes from COMPANY by primary key.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectLegacy, type LegacySource } from '@wxyc/legacy-etl';
import { findMysqlServer, LEGACY_ROTATION_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { ROTATION_QUERIES } from '../../../jobs/rotation-etl/src/legacy-tables.js';

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_ROTATION_DDL]);
let source: LegacySource;

describe.skipIf(!server)('rotation-etl queries on MariaDB', () => {
  beforeAll(async () => {
    await insertLegacy(
      legacy.conn,
      'COMPANY',
      Array.from({ length: 500 }, (_, i) => ({
        ID: i + 1,
        NAME: `Label ${i + 1}`,
        TIME_LAST_MODIFIED: 1,
        TIME_CREATED: 1,
      })),
    );
    await insertLegacy(
      legacy.conn,
      'ROTATION_RELEASE',
      Array.from({ length: 10_000 }, (_, i) => legacyRotation(i + 1, { COMPANY_ID: 1 + (i % 500) })),
    );
    await legacy.conn.query('ANALYZE TABLE COMPANY, ROTATION_RELEASE');
    source = await connectLegacy(legacy.url);
    return () => source.close();
  });

  it.each([
    ['new rows', ROTATION_QUERIES.newRows, [9_000, 9_500, 500]],
    ['edits', ROTATION_QUERIES.editedRows, [8_000, 9_000, 0, 500]],
  ] as const)('%s: a PRIMARY range of ROTATION_RELEASE, COMPANY by its primary key', async (_, sql, params) => {
    const plans = await source.explain(sql, [...params]);
    expect(plans[0]).toMatchObject({ table: 'ROTATION_RELEASE', type: 'range', key: 'PRIMARY' });
    expect(plans[0]!.rows).toBeLessThanOrEqual(1_200);
    expect(plans[1]).toMatchObject({ table: 'COMPANY', type: 'eq_ref', key: 'PRIMARY' });
  });

  it('returns the label name with the row', async () => {
    expect(await source.query(ROTATION_QUERIES.newRows, [0, 2, 10])).toEqual([
      expect.objectContaining({ ID: 1, COMPANY_NAME: 'Label 1', ALTERNATE_LABEL_NAME: 'Label 1' }),
      expect.objectContaining({ ID: 2, COMPANY_NAME: 'Label 2' }),
    ]);
  });
});
