// 0063's drift triggers follow the owners declared in the jobs' legacy-tables.ts: the columns a
// trigger watches are exactly the `source` columns (but the key and the hash) of its table.
import { describe, expect, it } from 'vitest';
import { driftColumns, type MirrorTable } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';
import { FLOWSHEET_MIRROR, SHOWS_MIRROR } from '../../../jobs/flowsheet-etl/src/legacy-tables.js';
import { ARTISTS_MIRROR, LIBRARY_MIRROR } from '../../../jobs/library-etl/src/legacy-tables.js';
import { ROTATION_MIRROR } from '../../../jobs/rotation-etl/src/legacy-tables.js';

const db = useTestDatabase();
const MIRRORS: MirrorTable[] = [SHOWS_MIRROR, FLOWSHEET_MIRROR, ARTISTS_MIRROR, LIBRARY_MIRROR, ROTATION_MIRROR];

describe('legacy mirror drift triggers', () => {
  it.each(MIRRORS.map((m) => [m.table, m] as const))(
    '%s: the trigger watches its source columns, no other',
    async (_name, m) => {
      const [t] = await db.sql<{ cols: string[] }[]>`
      SELECT array(SELECT a.attname FROM unnest(tg.tgattr) k JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k ORDER BY 1)::text[] AS cols
      FROM pg_trigger tg WHERE tg.tgrelid = ${m.table}::regclass AND tg.tgname LIKE '%legacy_mirror_unhash'`;
      expect(t!.cols).toEqual(driftColumns(m).sort());
    },
  );

  it('a local write to a source-else-local or local column keeps the hash; a source column clears it', async () => {
    await db.sql`INSERT INTO wxyc_schema.rotation (legacy_rotation_id, rotation_bin, add_date, source_hash) VALUES (1, 'H', '2026-01-01', 42)`;
    await db.sql`UPDATE wxyc_schema.rotation SET discogs_release_id = 9, kill_date = '2026-02-01', album_id = NULL WHERE legacy_rotation_id = 1`;
    expect(await db.sql`SELECT source_hash FROM wxyc_schema.rotation`).toEqual([{ source_hash: '42' }]);
    await db.sql`UPDATE wxyc_schema.rotation SET rotation_bin = 'L' WHERE legacy_rotation_id = 1`;
    expect(await db.sql`SELECT source_hash FROM wxyc_schema.rotation`).toEqual([{ source_hash: null }]);
  });
});
