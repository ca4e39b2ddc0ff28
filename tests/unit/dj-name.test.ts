// The DJ-name rule's text: what it may read (privacy), and that 0060's fill trigger and 0061's dj_name guard embed it verbatim
// (the rule's one home is shared/database/src/dj-name.ts; its behaviour is tested on PostgreSQL
// in tests/integration/shared-sql.test.ts).
import { describe, expect, it } from 'vitest';
import {
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_SQL,
  MIGRATIONS_DIR,
  djNameOfRowSql,
  loadMigrations,
  noHandleSql,
} from '@wxyc/database';

describe('DJ_NAME_SQL', () => {
  it('reads only the two on-air handles, never a real name', () => {
    const columns = new Set(DJ_NAME_SQL.match(/\b[a-z]\.[a-z_]+\b/g));
    expect([...columns].sort()).toEqual(['s.legacy_dj_name', 'u.dj_name']);
    expect(DJ_NAME_SQL).not.toMatch(/u\.name|real_name|DJ_NAME/);
  });

  it('is embedded verbatim, with its source, in the dj_name guard of migration 0061 (the switch)', () => {
    const m = loadMigrations(MIGRATIONS_DIR).find((x) => x.tag.startsWith('0061'))!;
    const guard = m.statements.find((st) => st.sql.includes('DO $$'))!.sql;
    expect(guard.split(DJ_NAME_SQL)).toHaveLength(3); // the EXISTS and the count
    expect(guard.split(DJ_NAME_SOURCE_SQL)).toHaveLength(3);
  });
});

describe('djNameOfRowSql', () => {
  it('is the rule over its source for the row alias, one show by primary key', () => {
    expect(djNameOfRowSql('NEW')).toBe(`(SELECT ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = NEW.show_id)`);
    for (const bad of ['f.x', 'f; DROP', '', 'a b']) expect(() => djNameOfRowSql(bad)).toThrow(/is not a row alias/);
  });

  it('is embedded verbatim in the fill trigger function of migration 0060', () => {
    const m = loadMigrations(MIGRATIONS_DIR).find((x) => x.tag.startsWith('0060'))!;
    const fn = m.statements.find((st) => st.sql.startsWith('CREATE OR REPLACE FUNCTION'))!.sql;
    expect(fn).toContain(`NEW.dj_name := ${djNameOfRowSql('NEW')};`);
  });
});

describe('noHandleSql', () => {
  it('accepts alias.column only', () => {
    expect(noHandleSql('t.dj_name')).toContain('t.dj_name');
    for (const bad of ['dj_name', 't.dj_name)', "t.x' OR '1", 'T.DJ_NAME']) {
      expect(() => noHandleSql(bad)).toThrow(/is not alias\.column/);
    }
  });
});
