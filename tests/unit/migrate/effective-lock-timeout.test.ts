import { describe, expect, it } from 'vitest';
import { splitStatements } from '@wxyc/database';
import { lockTimeoutAt } from '../../../shared/database/src/migrate/effective-lock-timeout.js';

const stmts = (sql: string) => splitStatements(sql);

describe('lockTimeoutAt', () => {
  it("is the runner's default when the migration sets none", () => {
    expect(lockTimeoutAt(stmts('ALTER TABLE t ADD COLUMN c int;'), 0, '2s')).toBe('2s');
  });

  it('is the last SET LOCAL before the statement, with = or TO, quoted or not, after comments', () => {
    const m = stmts(
      "-- give up fast\nSET LOCAL lock_timeout = '500ms';--> statement-breakpoint\nALTER TABLE t DROP COLUMN a;--> statement-breakpoint\nSET LOCAL lock_timeout TO 100;--> statement-breakpoint\nALTER TABLE t DROP COLUMN b;",
    );
    expect(lockTimeoutAt(m, 0, '2s')).toBe('2s');
    expect(lockTimeoutAt(m, 1, '2s')).toBe('500ms');
    expect(lockTimeoutAt(m, 3, '2s')).toBe('100');
  });

  it('counts set_config(..., true) and ignores a session-wide set_config and other settings', () => {
    const m = stmts(
      "SELECT set_config('lock_timeout', '750ms', true);--> statement-breakpoint\nSELECT set_config('lock_timeout', '9s', false);--> statement-breakpoint\nSET LOCAL statement_timeout = '1min';--> statement-breakpoint\nALTER TABLE t DROP COLUMN a;",
    );
    expect(lockTimeoutAt(m, 3, '2s')).toBe('750ms');
  });

  it("reads 0061's own setting", async () => {
    const { loadMigrations, MIGRATIONS_DIR } = await import('@wxyc/database');
    const m = loadMigrations(MIGRATIONS_DIR).find((x) => x.tag.startsWith('0061_'))!;
    const last = m.statements.length - 1;
    expect(lockTimeoutAt(m.statements, last, '2s')).toBe('500ms');
  });
});
