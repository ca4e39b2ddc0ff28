import type { BadRows } from './bad-rows.js';

/** A value as it comes from mysql2 or from a dump: numbers may arrive as strings. */
export type LegacyValue = string | number | bigint | null | undefined | Buffer;

/** Where a cell came from, so a repair or rejection can name the row. */
export interface RowRef {
  table: string;
  legacyId: number;
  bad: BadRows;
}

/** An integer cell, or null when empty/absent; anything non-numeric is null as well. */
export function intCell(v: LegacyValue): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(typeof v === 'bigint' ? v : String(v));
  return Number.isSafeInteger(n) ? n : null;
}

/** A positive id, or null for 0, negative, empty or non-numeric (the legacy tables' "none"). */
export function positiveIntCell(v: LegacyValue): number | null {
  const n = intCell(v);
  return n !== null && n > 0 ? n : null;
}

/** A MySQL boolean (tinyint/int flag): anything non-zero is true. */
export function flagCell(v: LegacyValue): boolean {
  const n = intCell(v);
  return n !== null && n !== 0;
}

/**
 * A text cell made safe for a PostgreSQL varchar(maxLength): NUL bytes (PostgreSQL rejects
 * them) are removed, U+FFFD (what a decoder leaves for bytes that were not UTF-8) is counted
 * as invalid UTF-8, over-long text is truncated to maxLength characters. Each fix is counted
 * on the row. Empty and whitespace-only text becomes null.
 */
export function textCell(v: LegacyValue, maxLength: number | null, ref: RowRef, column: string): string | null {
  if (v === null || v === undefined) return null;
  let s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  if (s.includes('\u0000')) {
    s = s.replaceAll('\u0000', '');
    ref.bad.repair(ref.table, ref.legacyId, `NUL bytes removed from ${column}`);
  }
  if (s.includes('\uFFFD')) ref.bad.repair(ref.table, ref.legacyId, `invalid UTF-8 in ${column} replaced by U+FFFD`);
  s = s.trim();
  if (s === '') return null;
  if (maxLength !== null && [...s].length > maxLength) {
    s = [...s].slice(0, maxLength).join('');
    ref.bad.repair(ref.table, ref.legacyId, `${column} truncated to ${maxLength} characters`);
  }
  return s;
}

/** How far ahead of now an epoch-ms time may be before it is treated as absent (clock typos). */
export const FUTURE_SLACK_MS = 5 * 60 * 1000;

/**
 * The first usable epoch-ms time of the candidates: > 0 and not far in the future.
 * Returns null when none is usable (the caller decides whether that is bad input).
 */
export function firstUsableTime(candidates: LegacyValue[], now = Date.now()): Date | null {
  for (const c of candidates) {
    const ms = intCell(c);
    if (ms !== null && ms > 0 && ms <= now + FUTURE_SLACK_MS) return new Date(ms);
  }
  return null;
}

/** The station's time zone: what a legacy "date" (an epoch-ms instant) means as a calendar day. */
export const STATION_TIME_ZONE = 'America/New_York';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: STATION_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The station's calendar day (YYYY-MM-DD) of an instant, for PostgreSQL `date` columns. */
export function stationDate(t: Date): string {
  return dayFormat.format(t);
}
