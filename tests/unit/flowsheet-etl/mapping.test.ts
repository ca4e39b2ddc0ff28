import { describe, expect, it } from 'vitest';
import { BadRows } from '@wxyc/legacy-etl';
import { entryTypeFor, mapEntry, mapShow } from '../../../jobs/flowsheet-etl/src/mapping.js';

const NOW = Date.UTC(2026, 3, 4, 20);
const T = Date.UTC(2026, 3, 4, 16);

const entry = (over: Record<string, unknown> = {}) => ({
  ID: 1,
  ARTIST_NAME: 'Stereolab',
  SONG_TITLE: 'French Disko',
  RELEASE_TITLE: 'Jenny Ondioline',
  LIBRARY_RELEASE_ID: 5,
  ROTATION_RELEASE_ID: 0,
  LABEL_NAME: 'Duophonic',
  START_TIME: 0,
  RADIO_SHOW_ID: 3,
  SEQUENCE_WITHIN_SHOW: 4,
  FLOWSHEET_ENTRY_TYPE_CODE_ID: 1,
  TIME_LAST_MODIFIED: T + 2000,
  TIME_CREATED: T + 1000,
  REQUEST_FLAG: 1,
  SEGUE_FLAG: 0,
  ...over,
});

describe('entryTypeFor', () => {
  it('maps the legacy type codes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, null].map(entryTypeFor)).toEqual([
      'track',
      'track',
      'track',
      'track',
      'track',
      'track',
      'track',
      'talkset',
      'breakpoint',
      'show_start',
      'show_end',
      'message',
      'message',
      'message',
    ]);
  });
});

describe('mapEntry', () => {
  it('maps a track row; START_TIME 0 is normal and TIME_CREATED stands in', () => {
    const bad = new BadRows();
    expect(mapEntry(entry(), bad, NOW)).toEqual({
      legacy_entry_id: 1,
      legacy_show_id: 3,
      legacy_release_id: 5,
      legacy_rotation_id: null,
      entry_type: 'track',
      artist_name: 'Stereolab',
      track_title: 'French Disko',
      album_title: 'Jenny Ondioline',
      record_label: 'Duophonic',
      message: null,
      play_order: 4,
      request_flag: true,
      segue: false,
      add_time: new Date(T + 1000),
      modified: T + 2000,
      source_hash: expect.any(Number),
    });
    expect(bad.rejectedCount + bad.repairedCount).toBe(0);
  });

  it('add_time: START_TIME when > 0, else TIME_CREATED, else TIME_LAST_MODIFIED; far future is absent', () => {
    const bad = new BadRows();
    expect(mapEntry(entry({ START_TIME: T }), bad, NOW)!.add_time).toEqual(new Date(T));
    expect(mapEntry(entry({ TIME_CREATED: 0 }), bad, NOW)!.add_time).toEqual(new Date(T + 2000));
    expect(mapEntry(entry({ START_TIME: NOW + 365 * 86_400_000 }), bad, NOW)!.add_time).toEqual(new Date(T + 1000));
    expect(bad.rejectedCount).toBe(0);
  });

  it('a row with no usable time is rejected and counted', () => {
    const bad = new BadRows();
    expect(mapEntry(entry({ START_TIME: 0, TIME_CREATED: null, TIME_LAST_MODIFIED: 0 }), bad, NOW)).toBeNull();
    expect(bad.rejectedCount).toBe(1);
  });

  it('non-track rows carry ARTIST_NAME as the message and no track fields', () => {
    const text = 'START OF SHOW: DJ Bluejay SIGNED ON at 12:01 PM (4/4/26)';
    const m = mapEntry(entry({ FLOWSHEET_ENTRY_TYPE_CODE_ID: 9, ARTIST_NAME: text }), new BadRows(), NOW)!;
    expect(m).toMatchObject({
      entry_type: 'show_start',
      message: text,
      artist_name: null,
      track_title: null,
      album_title: null,
      record_label: null,
      legacy_release_id: null,
    });
  });

  it('message is cut at 250 characters, track text at 128', () => {
    const bad = new BadRows();
    expect(
      mapEntry(entry({ FLOWSHEET_ENTRY_TYPE_CODE_ID: 7, ARTIST_NAME: 'm'.repeat(300) }), bad, NOW)!.message,
    ).toHaveLength(250);
    expect(mapEntry(entry({ SONG_TITLE: 's'.repeat(200) }), bad, NOW)!.track_title).toHaveLength(128);
    expect(bad.repairedCount).toBe(2);
  });
});

describe('mapShow', () => {
  const show = (over: Record<string, unknown> = {}) => ({
    ID: 3,
    STARTING_RADIO_HOUR: T,
    DJ_NAME: 'Real Name',
    DJ_ID: 7,
    DJ_HANDLE: 'DJ Bluejay',
    SHOW_NAME: 'Morning',
    SPECIALTY_SHOW_ID: 0,
    SIGNON_TIME: T + 60_000,
    SIGNOFF_TIME: 0,
    TIME_LAST_MODIFIED: T + 60_000,
    TIME_CREATED: T + 60_000,
    ...over,
  });

  it('takes DJ_HANDLE as legacy_dj_name and never DJ_NAME', () => {
    const m = mapShow(show(), new BadRows(), NOW)!;
    expect(m).toEqual({
      legacy_show_id: 3,
      legacy_specialty_id: null,
      show_name: 'Morning',
      start_time: new Date(T + 60_000),
      end_time: null,
      legacy_dj_id: 7,
      legacy_dj_name: 'DJ Bluejay',
      modified: T + 60_000,
      source_hash: expect.any(Number),
    });
    expect(JSON.stringify(m)).not.toContain('Real Name');
  });

  it('start_time falls back to STARTING_RADIO_HOUR; no time at all is rejected', () => {
    const bad = new BadRows();
    expect(mapShow(show({ SIGNON_TIME: 0 }), bad, NOW)!.start_time).toEqual(new Date(T));
    expect(
      mapShow(show({ SIGNON_TIME: 0, STARTING_RADIO_HOUR: 0, TIME_CREATED: null, TIME_LAST_MODIFIED: null }), bad, NOW),
    ).toBeNull();
    expect(bad.rejectedCount).toBe(1);
  });
});
