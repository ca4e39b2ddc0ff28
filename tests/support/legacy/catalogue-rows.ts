// Builders of legacy card-catalogue and rotation rows for tests, overridable per row.
import type { LegacyRowValues } from './flowsheet-rows.js';

export const C0 = Date.UTC(2024, 0, 15, 17, 0, 0); // 2024-01-15 12:00 in Chapel Hill

export function legacyCode(id: number, over: LegacyRowValues = {}): LegacyRowValues {
  return {
    ID: id,
    GENRE_ID: 1,
    PRESENTATION_NAME: `Artist ${id}`,
    ALPHABETICAL_NAME: `Artist ${id}`,
    CALL_LETTERS: 'AR',
    CALL_NUMBERS: id % 30_000,
    TIME_LAST_MODIFIED: C0 + id * 1000,
    TIME_CREATED: C0 + id * 1000,
    ...over,
  };
}

export function legacyRelease(id: number, codeId: number, over: LegacyRowValues = {}): LegacyRowValues {
  return {
    ID: id,
    TITLE: `Album ${id}`,
    LIBRARY_CODE_ID: codeId,
    FORMAT_ID: 1,
    CALL_NUMBERS: 1 + (id % 100),
    CALL_LETTERS: 'AR',
    ALTERNATE_ARTIST_NAME: null,
    TIME_LAST_MODIFIED: C0 + id * 1000,
    TIME_CREATED: C0 + id * 1000,
    DATE_LOST: 0,
    DATE_FOUND: 0,
    ...over,
  };
}

export function legacyRotation(id: number, over: LegacyRowValues = {}): LegacyRowValues {
  return {
    ID: id,
    ARTIST_PRESENTATION_NAME: `Artist ${id}`,
    TITLE: `Album ${id}`,
    ROTATION_TYPE: 'M',
    COMPANY_ID: 0,
    ALTERNATE_LABEL_NAME: `Label ${id}`,
    ROTATION_ADD_DATE: C0 + id * 1000,
    ROTATION_KILL_DATE: 0,
    LIBRARY_RELEASE_ID: 0,
    DISCOGS_RELEASE_ID: 0,
    TIME_LAST_MODIFIED: C0 + id * 1000,
    TIME_CREATED: C0 + id * 1000,
    ...over,
  };
}
