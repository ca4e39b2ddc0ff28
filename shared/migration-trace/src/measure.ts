import type { Sql } from 'postgres';
import type { Migration } from '@wxyc/database';
import { diffSnapshots } from './effects.js';
import type { MeasuredMigration, MeasuredStatement } from './extrapolate.js';
import { sampleLocks, takeSnapshot } from './snapshot.js';

/** A statement of a traced migration failed; the migration was rolled back. */
export class TraceStatementError extends Error {
  override name = 'TraceStatementError';
  constructor(
    readonly tag: string,
    readonly line: number,
    override readonly cause: unknown,
  ) {
    super(`${tag}.sql line ${line}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

// Often enough to see CREATE INDEX CONCURRENTLY's locks, rarely enough to cost nothing.
const SAMPLE_MS = 5;

/**
 * Applies one migration as the runner does (one transaction, or autocommit for a
 * no-transaction file), reading the catalog and this session's locks after every statement.
 * `sql` must be a single-connection client; `observer` another connection to the same database.
 * `end: 'rollback'` measures a repeat and leaves the database as it was (commitMs is then the
 * ROLLBACK's time; locks are held until it returns all the same).
 */
export async function measureMigration(
  sql: Sql,
  observer: Sql,
  m: Migration,
  end: 'commit' | 'rollback' = 'commit',
): Promise<MeasuredMigration> {
  if (m.noTransaction && end === 'rollback')
    throw new Error(`${m.tag} runs outside a transaction: it cannot be measured and rolled back`);
  const [row] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  const pid = row!.pid;
  const statements: MeasuredStatement[] = [];
  // Connected before the statement starts, so the first lock sample is not late.
  if (m.noTransaction) await observer`SELECT 1`;
  else await sql.unsafe('BEGIN');
  try {
    const start = await takeSnapshot(sql);
    let before = start;
    for (const [index, st] of m.statements.entries()) {
      const sampled = new Set<string>();
      const samples: Promise<void>[] = [];
      const sample = () =>
        void samples.push(
          sampleLocks(observer, pid).then(
            (ls) => {
              for (const l of ls) sampled.add(l);
            },
            () => {},
          ),
        );
      const sampler = m.noTransaction ? setInterval(sample, SAMPLE_MS) : undefined;
      const t0 = performance.now();
      try {
        const running = sql.unsafe(st.sql).simple().execute();
        if (m.noTransaction) setImmediate(sample);
        await running;
        await Promise.all(samples);
      } catch (err) {
        throw new TraceStatementError(m.tag, st.line, err);
      } finally {
        clearInterval(sampler);
      }
      const durationMs = performance.now() - t0;
      const after = await takeSnapshot(sql);
      statements.push({
        index,
        line: st.line,
        sql: st.sql,
        durationMs,
        effects: diffSnapshots(start, before, after, sampled),
      });
      before = after;
    }
    const t0 = performance.now();
    if (!m.noTransaction) await sql.unsafe(end === 'commit' ? 'COMMIT' : 'ROLLBACK');
    return {
      tag: m.tag,
      noTransaction: m.noTransaction,
      statements,
      commitMs: m.noTransaction ? 0 : performance.now() - t0,
    };
  } catch (err) {
    if (!m.noTransaction) await sql.unsafe('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Measures a migration `repeat` times on the same data, for figures the machine's load disturbs
 * less: every run but the last rolls back, the last commits (later migrations build on it). A
 * CHECKPOINT before each run writes out what the seed or the previous run dirtied, so no run pays
 * for another's writes. A no-transaction migration cannot be rolled back: it runs once.
 */
export async function measureRepeated(
  sql: Sql,
  observer: Sql,
  m: Migration,
  repeat: number,
): Promise<MeasuredMigration[]> {
  const runs = m.noTransaction ? 1 : Math.max(1, repeat);
  const out: MeasuredMigration[] = [];
  for (let i = 1; i <= runs; i++) {
    await sql.unsafe('CHECKPOINT');
    out.push(await measureMigration(sql, observer, m, i < runs ? 'rollback' : 'commit'));
  }
  return out;
}

/** Applies migrations with no measuring (the base state of a trace). */
export async function applyPlain(sql: Sql, migrations: Migration[]): Promise<void> {
  for (const m of migrations) {
    if (!m.noTransaction) await sql.unsafe('BEGIN');
    try {
      for (const st of m.statements) {
        await sql
          .unsafe(st.sql)
          .simple()
          .catch((err: unknown) => {
            throw new TraceStatementError(m.tag, st.line, err);
          });
      }
      if (!m.noTransaction) await sql.unsafe('COMMIT');
    } catch (err) {
      if (!m.noTransaction) await sql.unsafe('ROLLBACK').catch(() => {});
      throw err;
    }
  }
}
