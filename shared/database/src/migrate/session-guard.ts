import type { Sql } from 'postgres';
import { MigrateError } from './errors.js';
import { MIGRATE_EXIT } from './exit-codes.js';
import { RUNNER_APPLICATION_NAME, runnerSessionSettings } from './session.js';
import { durationMs, type MigrateSettings } from './settings.js';

interface ShownSetting {
  name: string;
  setting: string;
  unit: string | null;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000 };

/** What the session must show before a migration: the runner's settings and the search_path it started with. */
export interface SessionBaseline {
  searchPath: string;
}

export async function readBaseline(sql: Sql): Promise<SessionBaseline> {
  const [row] = await sql<{ search_path: string }[]>`SELECT current_setting('search_path') AS search_path`;
  return { searchPath: row!.search_path };
}

/**
 * Before each migration: undo whatever session-level SET an earlier migration left behind
 * (RESET ALL: lock_timeout = 0, search_path, ...), set the runner's settings again, and read
 * them back. A session that does not show them (a pooler in transaction mode, a role- or
 * database-level setting forced on it) stops the run before the migration starts.
 */
export async function reestablishSession(
  sql: Sql,
  settings: MigrateSettings,
  baseline: SessionBaseline,
): Promise<void> {
  const wanted = runnerSessionSettings(settings);
  await sql`RESET ALL`;
  for (const [name, value] of Object.entries({ ...wanted, application_name: RUNNER_APPLICATION_NAME })) {
    await sql`SELECT set_config(${name}, ${value}, false)`;
  }
  const shown = await sql<ShownSetting[]>`
    SELECT name, setting, unit FROM pg_settings WHERE name IN ${sql([...Object.keys(wanted), 'application_name', 'search_path'])}`;
  const byName = new Map(shown.map((s) => [s.name, s]));
  const wrong: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    const s = byName.get(name);
    const ms = s ? Number(s.setting) * (UNIT_MS[s.unit ?? 'ms'] ?? NaN) : NaN;
    if (ms !== durationMs(value))
      wrong.push(`${name} shows ${s ? `${s.setting}${s.unit ?? ''}` : 'nothing'}, expected ${value}`);
  }
  if (byName.get('application_name')?.setting !== RUNNER_APPLICATION_NAME)
    wrong.push(`application_name is not ${RUNNER_APPLICATION_NAME}`);
  if (byName.get('search_path')?.setting !== baseline.searchPath) {
    wrong.push(`search_path shows ${byName.get('search_path')?.setting}, expected ${baseline.searchPath}`);
  }
  if (wrong.length) {
    throw new MigrateError(
      `the migrating session does not keep the runner's settings (${wrong.join('; ')}): nothing more was applied. ` +
        `Connect the runner to PostgreSQL directly or through a session-mode pooler, and remove role/database-level overrides.`,
      MIGRATE_EXIT.CONFIG,
    );
  }
}
