import type { Sql } from 'postgres';
import type { Blocker } from './statement-error.js';

/**
 * Who blocks the runner is only visible while it waits, so a statement samples
 * pg_blocking_pids from the side connection every 250 ms while it runs.
 */
export function sampleBlockers(control: Sql, runnerPid: number): { blockers: Blocker[]; stop(): void } {
  const blockers: Blocker[] = [];
  const timer = setInterval(() => {
    control<Blocker[]>`
      SELECT pid, application_name, state, left(query, 80) AS query
      FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids(${runnerPid}))`
      .then((rows) => {
        if (rows.length) blockers.splice(0, blockers.length, ...rows);
      })
      .catch(() => {});
  }, 250);
  return { blockers, stop: () => clearInterval(timer) };
}
