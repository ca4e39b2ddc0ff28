// The pure half of the trace: lock hold times and their extrapolation to production size.
import { describe, expect, it } from 'vitest';
import {
  extrapolate,
  extrapolateRepeats,
  fitLinear,
  predictMs,
  totalMs,
  lockName,
  blocksWrites,
  parseMs,
  parseCount,
  type MeasuredMigration,
  type StatementEffects,
} from '@wxyc/migration-trace';

const none: StatementEffects = { locks: [], rewrites: [], scans: [] };
const lock = (table: string, mode: string, created = false): StatementEffects['locks'][number] => ({
  relation: table,
  table,
  isTable: true,
  mode,
  created,
});
const stmt = (index: number, durationMs: number, effects: StatementEffects = none) => ({
  index,
  line: index + 1,
  sql: `-- ${index}`,
  durationMs,
  effects,
});
const sizes: Record<string, { traced: number; production?: number }> = {
  'wxyc_schema.flowsheet': { traced: 100_000, production: 2_600_000 },
  'wxyc_schema.artists': { traced: 0, production: 500_000 },
  'wxyc_schema.bins': { traced: 0, production: 40 },
};
const rows = (t: string) => sizes[t] ?? { traced: 0 };
const opts = { budgetMs: 2000, bigTableRows: 100_000 };

describe('extrapolate', () => {
  it('holds a lock from the statement that took it to COMMIT, each statement scaled by its table', () => {
    const m: MeasuredMigration = {
      tag: '0054_x',
      noTransaction: false,
      commitMs: 10,
      statements: [
        stmt(0, 5),
        stmt(1, 1, { ...none, locks: [lock('wxyc_schema.flowsheet', 'AccessExclusiveLock')] }),
        stmt(2, 700, {
          locks: [lock('wxyc_schema.flowsheet', 'ShareLock')],
          rewrites: [{ relation: 'wxyc_schema.flowsheet', table: 'wxyc_schema.flowsheet' }],
          scans: [],
        }),
      ],
    };
    const r = extrapolate(m, rows, opts);
    expect(r.statements.map((s) => s.scale)).toEqual([1, 1, 26]);
    // One hold: the SHARE taken under ACCESS EXCLUSIVE is not a new one.
    expect(r.statements.flatMap((s) => s.holds)).toEqual([
      expect.objectContaining({
        table: 'wxyc_schema.flowsheet',
        mode: 'AccessExclusiveLock',
        blocksReads: true,
        heldMs: 711,
        productionMs: 1 + 700 * 26 + 10,
      }),
    ]);
    expect(r.failures).toEqual([
      '0054_x line 2: ACCESS EXCLUSIVE on wxyc_schema.flowsheet (100,000 rows traced, 2,600,000 in production) held 711 ms in the trace, ~18 s at production size: over the 2.0 s write-lock budget',
    ]);
  });

  it('passes a catalog-only change and ignores locks on tables the migration created', () => {
    const m: MeasuredMigration = {
      tag: '0053_x',
      noTransaction: false,
      commitMs: 3,
      statements: [
        stmt(0, 1, {
          ...none,
          locks: [
            lock('wxyc_schema.flowsheet', 'AccessExclusiveLock'),
            lock('wxyc_schema.new_t', 'AccessExclusiveLock', true),
          ],
        }),
      ],
    };
    const r = extrapolate(m, rows, opts);
    expect(r.failures).toEqual([]);
    expect(r.statements[0]!.holds.map((h) => h.table)).toEqual(['wxyc_schema.flowsheet']);
    // A catalog-only change is not scaled by the table's size.
    expect(r.statements[0]!.holds[0]!.productionMs).toBe(1 + 3);
  });

  it('outside a transaction a lock is held for its statement only, and SHARE UPDATE EXCLUSIVE blocks no writes', () => {
    const m: MeasuredMigration = {
      tag: '0057_cic',
      noTransaction: true,
      commitMs: 0,
      statements: [stmt(0, 300, { ...none, locks: [lock('wxyc_schema.flowsheet', 'ShareUpdateExclusiveLock')] })],
    };
    const r = extrapolate(m, rows, opts);
    expect(r.statements[0]!.holds).toEqual([]);
    expect(r.statements[0]!.productionMs).toBe(300 * 26);
    expect(r.failures).toEqual([]);
  });

  it('fails a rewrite of a big table the trace could not fill, and passes one of a small table', () => {
    const rewrite = (table: string): MeasuredMigration => ({
      tag: '0058_type',
      noTransaction: false,
      commitMs: 1,
      statements: [
        stmt(0, 2, { locks: [lock(table, 'AccessExclusiveLock')], rewrites: [{ relation: table, table }], scans: [] }),
      ],
    });
    expect(extrapolate(rewrite('wxyc_schema.artists'), rows, opts).failures).toEqual([
      '0058_type line 1: ACCESS EXCLUSIVE on wxyc_schema.artists (0 rows traced, 500,000 in production): wxyc_schema.artists has 0 rows in the trace and 500,000 in production: the per-row work cannot be scaled; treat it as over the 2.0 s budget',
    ]);
    expect(extrapolate(rewrite('wxyc_schema.bins'), rows, opts).failures).toEqual([]);
  });

  it('a table missing from stats.json is not scaled, and says so', () => {
    const m: MeasuredMigration = {
      tag: 't',
      noTransaction: false,
      commitMs: 0,
      statements: [stmt(0, 5, { ...none, locks: [lock('public.other', 'ShareLock')] })],
    };
    const [h] = extrapolate(m, rows, opts).statements[0]!.holds;
    expect(h).toMatchObject({ productionMs: 5, rows: { traced: 0 } });
  });
});

describe('lock modes and arguments', () => {
  it('names modes as PostgreSQL documents them and knows which block writes', () => {
    expect(lockName('ShareUpdateExclusiveLock')).toBe('SHARE UPDATE EXCLUSIVE');
    expect(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'].every(blocksWrites)).toBe(
      true,
    );
    expect(['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock'].some(blocksWrites)).toBe(
      false,
    );
  });

  it('parses --budget and --rows, refusing anything else in one line', () => {
    expect(parseMs('2s', '--budget')).toBe(2000);
    expect(parseMs('500ms', '--budget')).toBe(500);
    expect(parseMs('1.5', '--budget')).toBe(1500);
    expect(() => parseMs('soon', '--budget')).toThrow('--budget "soon": expected a duration such as 2s, 500ms or 1min');
    expect(parseCount('100000', '--rows', 0)).toBe(100_000);
    expect(() => parseCount('-5', '--rows', 0)).toThrow('--rows "-5": expected a whole number >= 0');
  });
});

describe('repeated measurements and the fit through two sizes', () => {
  const rewriteRun = (rewriteMs: number, commitMs: number): MeasuredMigration => ({
    tag: '0054_x',
    noTransaction: false,
    commitMs,
    statements: [
      stmt(0, 1, { ...none, locks: [lock('wxyc_schema.flowsheet', 'AccessExclusiveLock')] }),
      stmt(1, rewriteMs, {
        locks: [lock('wxyc_schema.flowsheet', 'AccessExclusiveLock')],
        rewrites: [{ relation: 'wxyc_schema.flowsheet', table: 'wxyc_schema.flowsheet' }],
        scans: [],
      }),
    ],
  });

  it("reports the fastest run (load only adds time) and keeps every run's total and holds, in order", () => {
    const runs = [rewriteRun(900, 20), rewriteRun(600, 10), rewriteRun(1500, 30)];
    expect(runs.map(totalMs)).toEqual([921, 611, 1531]);
    const r = extrapolateRepeats(runs, rows, opts);
    expect(r.statements[1]!.durationMs).toBe(600);
    expect(r.repeats!.map((x) => x.totalMs)).toEqual([921, 611, 1531]);
    expect(r.repeats!.map((x) => x.holds[0]!.heldMs)).toEqual([921, 611, 1531]);
    // Its failures are the fastest run's: 600 ms x 26 + 1 + 10 at production size.
    expect(r.failures).toEqual([expect.stringContaining('held 611 ms in the trace, ~16 s at production size')]);
  });

  it('one run is reported as is (no repeats), and no run is an error', () => {
    expect(extrapolateRepeats([rewriteRun(600, 10)], rows, opts).repeats).toBeUndefined();
    expect(() => extrapolateRepeats([], rows, opts)).toThrow('no measurement');
  });

  it('separates the fixed part from the per-row part, where a ratio from one size scales both', () => {
    // 500 ms of catalog work and COMMIT, then 0.03 ms a row.
    const hold = (n: number) => 500 + 0.03 * n;
    const fit = fitLinear([
      { rows: 100_000, ms: hold(100_000) },
      { rows: 500_000, ms: hold(500_000) },
    ]);
    expect(fit.fixedMs).toBeCloseTo(500, 6);
    expect(fit.msPerRow).toBeCloseTo(0.03, 9);
    expect(predictMs(fit, 1_000_000)).toBeCloseTo(hold(1_000_000), 6);
    // The ratio from 100k alone: 3,500 ms x 10 = 35 s against the true 30.5 s.
    expect(hold(100_000) * 10).toBeGreaterThan(hold(1_000_000) * 1.1);
  });

  it('least squares over more than two points, and a refusal of one size only', () => {
    const fit = fitLinear([
      { rows: 0, ms: 1 },
      { rows: 10, ms: 9 },
      { rows: 10, ms: 11 },
      { rows: 20, ms: 21 },
    ]);
    expect(fit.msPerRow).toBeCloseTo(1, 9);
    expect(fit.fixedMs).toBeCloseTo(0.5, 9);
    expect(() =>
      fitLinear([
        { rows: 5, ms: 1 },
        { rows: 5, ms: 2 },
      ]),
    ).toThrow('needs holds at two different sizes, got 5');
  });
});
