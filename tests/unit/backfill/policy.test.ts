import { describe, expect, it } from 'vitest';
import {
  halves,
  lockBusyMessage,
  parkedGroups,
  parkedIn,
  recoveryFor,
  tickSkipLine,
  usesAttempt,
} from '@wxyc/backfill';

const pg = (code: string) => Object.assign(new Error(`e ${code}`), { code });

describe('recovery policy', () => {
  it.each([
    ['57014', 'halve'],
    ['55P03', 'wait'],
    ['40P01', 'wait'],
    ['40001', 'wait'],
    ['57P01', 'reconnect'],
    ['CONNECTION_CLOSED', 'reconnect'],
    ['ECONNRESET', 'reconnect'],
    ['22001', 'isolate'],
    ['23503', 'isolate'],
    ['22P02', 'isolate'],
    ['42703', 'fail'],
  ])('%s -> %s', (code, rec) => {
    expect(recoveryFor(pg(code))).toBe(rec);
  });

  it('halving and isolating are free until the minimum size; waits and reconnects use attempts', () => {
    expect(usesAttempt('halve', 200)).toBe(false);
    expect(usesAttempt('halve', 100)).toBe(true);
    expect(usesAttempt('isolate', 100)).toBe(false);
    expect(usesAttempt('wait', 5000)).toBe(true);
    expect(usesAttempt('reconnect', 5000)).toBe(true);
  });

  it("a step's own minimum size: a task's batch halves freely down to one row", () => {
    expect(usesAttempt('halve', 2, 1)).toBe(false);
    expect(usesAttempt('halve', 1, 1)).toBe(true);
  });
});

describe('parking', () => {
  const rows = [
    { id: 3, sqlstate: '22001', message: 'too long' },
    { id: 9, sqlstate: '23503', message: 'fk' },
    { id: 12, sqlstate: '22001', message: 'too long' },
  ];
  it('groups by error, largest group first, with sample ids', () => {
    expect(parkedGroups(rows)).toEqual([
      { sqlstate: '22001', message: 'too long', count: 2, sample: [3, 12] },
      { sqlstate: '23503', message: 'fk', count: 1, sample: [9] },
    ]);
  });
  it('leaves out of a range only the parked keys inside it', () => {
    expect(parkedIn(rows, 3, 12)).toEqual([9, 12]);
    expect(parkedIn(rows, 12, 100)).toEqual([]);
  });
  it('halves a list, the first half taking the odd one', () => {
    expect(halves([1, 2, 3])).toEqual([[1, 2], [3]]);
    expect(halves([1])).toEqual([[1], []]);
  });
});

describe('lock refusal', () => {
  it('names the holder, how long it has run and how long it may go on', () => {
    const h = {
      pid: 4242,
      application_name: 'flowsheet-dj-name-backfill',
      client: '10.0.0.5',
      state: 'active',
      running_ms: 12_400,
    };
    expect(lockBusyMessage('flowsheet-dj-name', h, 60_000, 5_000)).toBe(
      "another run of flowsheet-dj-name is in progress: backend pid 4242 (application_name 'flowsheet-dj-name-backfill', client 10.0.0.5) " +
        'holds its lock, running a statement for 12 s; it ends within 48 s (statement_timeout 60 s), or within 1 s of the server noticing ' +
        'its client is gone; waited 5 s. Wait for it, or stop it: SELECT pg_terminate_backend(4242);',
    );
    expect(lockBusyMessage('x', undefined, 1000, 0)).toBe(
      'another run of x held its lock and has just released it; run again',
    );
  });

  it("a cron tick's skip line names the holder, worded as the ETL jobs' skip line", () => {
    const h = { pid: 81, application_name: 'cron-fixture', client: null, state: 'idle', running_ms: 2_600 };
    expect(tickSkipLine('cron-items', h)).toBe(
      "cron-items: previous tick still running (pid 81, application_name 'cron-fixture', client local, state idle for 3 s); skipping.",
    );
    expect(tickSkipLine('cron-items', undefined)).toBe(
      'cron-items: previous tick held the lock and has just released it; skipping.',
    );
  });
});
