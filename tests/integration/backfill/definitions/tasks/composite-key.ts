// A table keyed by (station text, day date, slot int), no integer id: walked as a row value, in
// batches smaller than a day, so the cursor crosses rows that share a station and a day.
import type { Sql } from 'postgres';
import type { Task } from '@wxyc/backfill';

export async function createScheduleTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE schedule (station text NOT NULL, day date NOT NULL, slot int NOT NULL, host text NOT NULL, label text,
                           PRIMARY KEY (station, day, slot))`;
}

export const compositeKey: Task = {
  name: 'schedule-labels',
  table: 'public.schedule',
  key: ['station', 'day', 'slot'],
  pending: 't.label IS NULL',
  resolve: `SELECT b.station, b.day, b.slot, upper(b.host) || ' @ ' || b.day || '#' || b.slot AS label, NULL AS reason FROM batch b`,
};
