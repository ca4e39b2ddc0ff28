// Builders of legacy flowsheet rows for tests: defaults like production (track rows with
// START_TIME = 0), overridable per row.
import type { Connection } from 'mysql2/promise';

export type LegacyRowValues = Record<string, string | number | null>;

export const T0 = Date.UTC(2026, 3, 4, 16, 0, 0); // 2026-04-04 16:00 UTC

export function legacyShow(id: number, over: LegacyRowValues = {}): LegacyRowValues {
  return {
    ID: id,
    STARTING_RADIO_HOUR: T0 + id * 3_600_000,
    DJ_NAME: `Real Name ${id}`,
    DJ_ID: 100 + id,
    DJ_HANDLE: `DJ Handle ${id}`,
    SHOW_NAME: `Show ${id}`,
    SPECIALTY_SHOW_ID: null,
    WORKING_HOUR: T0 + id * 3_600_000,
    SIGNON_TIME: T0 + id * 3_600_000 + 60_000,
    SIGNOFF_TIME: 0,
    TIME_LAST_MODIFIED: T0 + id * 3_600_000 + 60_000,
    TIME_CREATED: T0 + id * 3_600_000 + 60_000,
    MODLOCK: 0,
    SHOW_ID: null,
    ...over,
  };
}

export function legacyEntry(id: number, showId: number, over: LegacyRowValues = {}): LegacyRowValues {
  return {
    ID: id,
    ARTIST_NAME: `Artist ${id}`,
    ARTIST_ID: null,
    SONG_TITLE: `Song ${id}`,
    RELEASE_TITLE: `Album ${id}`,
    RELEASE_FORMAT_ID: 1,
    LIBRARY_RELEASE_ID: null,
    ROTATION_RELEASE_ID: null,
    LABEL_NAME: `Label ${id}`,
    RADIO_HOUR: T0,
    START_TIME: 0,
    STOP_TIME: 0,
    RADIO_SHOW_ID: showId,
    SEQUENCE_WITHIN_SHOW: id,
    NOW_PLAYING_FLAG: 0,
    FLOWSHEET_ENTRY_TYPE_CODE_ID: 1,
    TIME_LAST_MODIFIED: T0 + id * 1000,
    TIME_CREATED: T0 + id * 1000,
    REQUEST_FLAG: 0,
    GLOBAL_ORDER_ID: id,
    BMI_COMPOSER: null,
    SEGUE_FLAG: 0,
    ...over,
  };
}

/** Inserts rows (all with the same columns) in multi-row statements of up to 1000 rows. */
export async function insertLegacy(conn: Connection, table: string, rows: LegacyRowValues[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const cols = Object.keys(chunk[0]!);
    await conn.query(`INSERT INTO \`${table}\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [
      chunk.map((r) => cols.map((c) => r[c])),
    ]);
  }
}
