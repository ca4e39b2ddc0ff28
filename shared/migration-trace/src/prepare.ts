import type { Sql } from 'postgres';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL } from '@wxyc/database';

/**
 * Data a migration expects production to have when it deploys (what its runbook's backfill
 * leaves), put in place before the migration is traced and not timed. Keyed by migration tag.
 */
export interface PrepareStep {
  describe: string;
  run(sql: Sql): Promise<void>;
}

export const PREPARE_STEPS: Record<string, PrepareStep> = {
  // 0054's guard refuses while a track row has dj_name NULL: production applies it after
  // jobs/backfills/flowsheet-dj-name-backfill, so the trace fills the column first.
  '0054_flowsheet-search-doc-with-dj-name': {
    describe: 'dj_name backfill (jobs/backfills/flowsheet-dj-name-backfill) of every track row',
    async run(sql) {
      // Constant SQL fragments from @wxyc/database; no values are interpolated.
      await sql.unsafe(`
        UPDATE wxyc_schema.flowsheet f
        SET dj_name = COALESCE((SELECT ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = f.show_id), 'unresolved')
        WHERE f.entry_type = 'track' AND f.dj_name IS NULL`);
      // The backfill ran in batches with autovacuum behind it: no table of dead row versions.
      await sql.unsafe('VACUUM ANALYZE wxyc_schema.flowsheet');
    },
  },
};
