import { describeRows, fmtMs, fmtRows, type StatementReport } from './extrapolate.js';
import { lockName } from './locks.js';
import type { TraceReport } from './trace.js';

const oneLine = (sql: string, max = 90): string => {
  const s = sql
    .replace(/--[^\n]*\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function statementLines(s: StatementReport): string[] {
  const e = s.effects;
  const out = [`  line ${s.line}: ${oneLine(s.sql)}`];
  out.push(
    `    ${fmtMs(s.durationMs)} traced${s.scale > 1 ? `, ~${fmtMs(s.productionMs)} at production size (x${s.scale.toFixed(1)})` : ''}`,
  );
  const locks = e.locks
    .filter((l) => !l.created && l.isTable)
    .map((l) => {
      const indexes = e.locks.filter((i) => !i.created && !i.isTable && i.table === l.relation).length;
      return `${lockName(l.mode)} ${l.relation}${indexes ? ` (and ${indexes} of its indexes)` : ''}`;
    });
  if (locks.length) out.push(`    locks: ${locks.join(', ')}`);
  const created = e.locks.filter((l) => l.created && l.isTable).map((l) => l.relation);
  if (created.length) out.push(`    created: ${[...new Set(created)].join(', ')}`);
  const rewritten = e.rewrites.filter((r) => r.relation === r.table).map((r) => r.relation);
  const rebuilt = e.rewrites.filter((r) => r.relation !== r.table).length;
  if (e.rewrites.length)
    out.push(`    REWRITE: ${[...rewritten, ...(rebuilt ? [`${rebuilt} index(es) rebuilt`] : [])].join(', ')}`);
  for (const sc of e.scans) out.push(`    SCAN of ${sc.table}: ${sc.reason}`);
  for (const h of s.holds) {
    out.push(
      `    holds ${lockName(h.mode)} on ${h.table} (${h.blocksReads ? 'blocks reads and writes' : 'blocks writes'}) for ${fmtMs(h.heldMs)} traced, ` +
        (h.unmeasured
          ? `unknown at production size: ${h.unmeasured}`
          : `~${fmtMs(h.productionMs)} at production size`) +
        ` [${describeRows(h.rows)}]`,
    );
  }
  return out;
}

/** The human report of `migrate:trace`: per migration, per statement; then the verdict. */
export function formatTraceReport(r: TraceReport): string[] {
  const out = [
    `trace of ${r.migrations.length} migration(s) on ${fmtRows(r.rows)} flowsheet rows, from ${r.base ?? 'an empty database'}; budget ${fmtMs(r.budgetMs)} of write-blocking lock at production size`,
  ];
  for (const m of r.migrations) {
    out.push(`${m.tag}${m.noTransaction ? ' (no transaction)' : ''}:`);
    if (m.repeats)
      out.push(
        `  measured ${m.repeats.length} times (all but the last rolled back), the fastest shown: ${m.repeats.map((x) => fmtMs(x.totalMs)).join(', ')}`,
      );
    for (const s of m.statements) out.push(...statementLines(s));
    if (!m.noTransaction) out.push(`  COMMIT: ${fmtMs(m.commitMs)}`);
  }
  if (r.error)
    out.push(
      `FAILED in the trace: ${r.error.tag}.sql line ${r.error.line}: ${r.error.message} (later migrations were not traced)`,
    );
  for (const f of r.failures) out.push(`OVER BUDGET: ${f}`);
  if (!r.error && !r.failures.length)
    out.push(`ok: no statement holds a write-blocking lock longer than ${fmtMs(r.budgetMs)} at production size`);
  return out;
}
