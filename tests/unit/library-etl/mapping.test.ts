// Pure mapping rules of library-etl and rotation-etl.
import { describe, expect, it } from 'vitest';
import { BadRows, stationDate } from '@wxyc/legacy-etl';
import { isMissing, mapArtist, mapLookup, mapRelease } from '../../../jobs/library-etl/src/mapping.js';
import { binOf, mapRotation } from '../../../jobs/rotation-etl/src/mapping.js';
import { mergePending, MAX_PENDING_LINKS, type PendingLink } from '../../../jobs/rotation-etl/src/write.js';

const d = (iso: string) => new Date(iso);

describe('isMissing: DATE_LOST set and DATE_FOUND not after it', () => {
  it.each([
    [null, null, false],
    [null, d('2025-01-01'), false],
    [d('2024-01-01'), null, true],
    [d('2024-01-01'), d('2023-06-01'), true], // found before it was lost again
    [d('2024-01-01'), d('2024-01-01'), true],
    [d('2024-01-01'), d('2024-01-02'), false],
  ])('lost %s, found %s -> %s', (lost, found, missing) => {
    expect(isMissing(lost, found)).toBe(missing);
  });

  it('0 in DATE_LOST/DATE_FOUND means not set', () => {
    const r = mapRelease(
      {
        ID: 1,
        TITLE: 'A',
        LIBRARY_CODE_ID: 2,
        CALL_NUMBERS: 3,
        TIME_CREATED: 1000,
        TIME_LAST_MODIFIED: 2000,
        DATE_LOST: 0,
        DATE_FOUND: 0,
      },
      new BadRows(),
    );
    expect(r).toMatchObject({ missing: false, date_lost: null, date_found: null, legacy_format_id: null });
  });
});

describe('genres', () => {
  it('db_only is not imported (any case), without counting it as bad', () => {
    const bad = new BadRows();
    expect(mapLookup('GENRE', { ID: 9, REFERENCE_NAME: 'DB_Only' }, bad)).toBeNull();
    expect(bad.rejectedCount).toBe(0);
    expect(mapLookup('FORMAT', { ID: 9, REFERENCE_NAME: 'db_only' }, bad)).toEqual({ legacyId: 9, name: 'db_only' });
  });
});

describe('artists', () => {
  it('takes the creation day in the station time zone', () => {
    // 2024-01-01 03:00 UTC is still December 31 in Chapel Hill.
    const a = mapArtist(
      {
        ID: 1,
        PRESENTATION_NAME: 'X',
        CALL_LETTERS: 'XY',
        CALL_NUMBERS: 0,
        TIME_CREATED: Date.UTC(2024, 0, 1, 3),
        TIME_LAST_MODIFIED: null,
      },
      new BadRows(),
    );
    expect(a).toMatchObject({ add_date: '2023-12-31', code_artist_number: 0, legacy_genre_id: null });
  });
});

describe('rotation', () => {
  it.each([
    ['H', 'H'],
    [' m ', 'M'],
    ['l', 'L'],
    ['S', 'S'],
    ['', null],
    [null, null],
    ['X', null],
    ['HM', null],
  ])('ROTATION_TYPE %j -> %s', (type, bin) => {
    expect(binOf(type)).toBe(bin);
  });

  it('LIBRARY_RELEASE_ID 0 and DISCOGS_RELEASE_ID 0 or negative are none; the company name wins over the alternate label', () => {
    const base = {
      ID: 1,
      ROTATION_TYPE: 'H',
      ROTATION_ADD_DATE: Date.UTC(2026, 0, 5, 12),
      TIME_CREATED: 1,
      TIME_LAST_MODIFIED: 1,
    };
    const bad = new BadRows();
    expect(
      mapRotation({ ...base, LIBRARY_RELEASE_ID: 0, DISCOGS_RELEASE_ID: -4, ALTERNATE_LABEL_NAME: 'Alt' }, bad),
    ).toMatchObject({
      legacy_release_id: null,
      discogs_release_id: null,
      record_label: 'Alt',
      add_date: '2026-01-05',
      kill_date: null,
    });
    expect(
      mapRotation(
        { ...base, LIBRARY_RELEASE_ID: 7, DISCOGS_RELEASE_ID: 0, COMPANY_NAME: 'Co', ALTERNATE_LABEL_NAME: 'Alt' },
        bad,
      ),
    ).toMatchObject({
      legacy_release_id: 7,
      discogs_release_id: null,
      record_label: 'Co',
    });
    expect(bad.rejectedCount + bad.repairedCount).toBe(0);
  });

  it('a kill date may lie ahead (planned); an absurd one is dropped and counted', () => {
    const bad = new BadRows();
    const base = { ID: 2, ROTATION_TYPE: 'L', ROTATION_ADD_DATE: Date.UTC(2026, 0, 5, 12) };
    expect(mapRotation({ ...base, ROTATION_KILL_DATE: Date.now() + 90 * 86_400_000 }, bad)!.kill_date).toBe(
      stationDate(new Date(Date.now() + 90 * 86_400_000)),
    );
    expect(mapRotation({ ...base, ROTATION_KILL_DATE: Date.UTC(12_000, 0, 1) }, bad)!.kill_date).toBeNull();
    expect(bad.repairedCount).toBe(1);
  });
});

describe('mergePending', () => {
  it('a batch replaces the pending link of its entries: linked or no release removes it, a missing release adds it', () => {
    const pending: PendingLink[] = [
      [1, 10],
      [2, 20],
      [3, 30],
    ];
    const batch = new Map<number, number | null>([
      [2, null],
      [3, 31],
      [4, 40],
    ]);
    expect(mergePending(pending, batch)).toEqual([
      [1, 10],
      [3, 31],
      [4, 40],
    ]);
  });

  it('keeps the newest entries when over the cap', () => {
    const many = new Map(Array.from({ length: MAX_PENDING_LINKS + 5 }, (_, i) => [i + 1, 1] as [number, number]));
    const merged = mergePending([], many);
    expect(merged).toHaveLength(MAX_PENDING_LINKS);
    expect(merged[0]![0]).toBe(6);
  });
});
