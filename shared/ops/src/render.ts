import type { BackfillStatus } from './backfills.js';
import { fmtAge } from './cron-status.js';
import { clockLine, type OpsStatus } from './status.js';
import { CLOCK_SKEW_LIMIT_S, type LatestRun } from '@wxyc/database';
import { printable } from '@wxyc/job-runtime';
import type { SessionInfo } from './sessions.js';
import { retiredLine } from './retired-ids.js';
import { taskLine } from './tasks.js';

const pad = (s: string, n: number) => s.padEnd(n);

function runLine(r: LatestRun, at: Date): string {
  const what =
    r.state === 'finished' ? `${r.outcome}${r.outcome === 'failed' ? ` (exit ${r.exitCode})` : ''}` : r.state;
  const counts =
    r.rowsRead === null && r.rowsWritten === null
      ? ''
      : `, rows read ${r.rowsRead ?? 0} written ${r.rowsWritten ?? 0} skipped ${r.rowsSkipped ?? 0}`;
  return `${what}, started ${fmtAge(at.getTime() - r.startedAt.getTime())} ago on ${r.host}${r.imageVersion ? ` (${r.imageVersion})` : ''}${counts}`;
}

function backfillLine(b: BackfillStatus, at: Date): string {
  const last = b.lastBatchAt ? `last batch ${fmtAge(at.getTime() - b.lastBatchAt.getTime())} ago` : 'no batch yet';
  const eta = b.etaS !== null ? `, ETA ${fmtAge(b.etaS * 1000)}` : '';
  const of = b.pendingAtStart !== null ? ` of ${b.pendingAtStart}` : '';
  return `${pad(b.name, 30)} ${pad(b.stuck ? 'STUCK' : b.status, 11)} cursor ${b.cursor ?? '-'}, rows ${b.rowsDone}${of}, parked ${b.parked}, ${last}${eta}`;
}

const session = (s: SessionInfo) =>
  `pid ${s.pid} '${s.applicationName}' ${s.state ?? ''} xact ${s.xactAgeS ?? '?'}s: ${s.query ?? ''}`;

/**
 * The one-screen text view. Every line goes through `printable`: hosts, application names,
 * queries and error lines come from the database, and a control character or ANSI escape in
 * one must not reach the terminal.
 */
export function renderStatus(s: OpsStatus): string {
  const out: string[] = [`wxyc ops status at ${s.at.toISOString()}`];
  if (s.unreadable.length)
    out.push(
      `INCOMPLETE: ${s.unreadable.map((u) => u.section).join(', ')} could not be read (locked); what follows is what could be`,
    );
  for (const u of s.unreadable) {
    out.push(`  ${u.section} (${u.relation}): ${u.reason}`);
    for (const h of u.holders) out.push(`    ACCESS EXCLUSIVE held by ${session(h)}`);
  }
  const m = s.migrations;
  out.push(
    `migrations: ${m.applied} applied, ${m.pending.length} pending, ${m.drifted.length} drifted${m.unknown ? `, ${m.unknown} unknown rows` : ''}`,
  );
  for (const t of m.pending.slice(0, 10)) out.push(`  pending  ${t}`);
  if (m.pending.length > 10) out.push(`  ... and ${m.pending.length - 10} more pending`);
  for (const t of m.drifted) out.push(`  drifted  ${t}`);
  out.push('cron jobs:');
  for (const c of s.cron) {
    const last = c.last ? runLine(c.last, s.at) : 'no run recorded';
    out.push(
      `  ${pad(c.job, 28)} ${pad(c.schedule, 14)} ${pad(c.verdict.toUpperCase(), 9)} ${last}${c.reason && c.last ? ` [${c.reason}]` : ''}`,
    );
  }
  if (s.otherRuns.length) {
    out.push('other jobs (newest run):');
    for (const r of s.otherRuns) out.push(`  ${pad(r.job, 28)} ${runLine(r, s.at)}`);
  }
  out.push(s.backfills.length ? 'backfills:' : 'backfills: none recorded');
  for (const b of s.backfills) out.push(`  ${backfillLine(b, s.at)}`);
  if ((s.tasks ?? []).length)
    out.push("tasks (from their state rows; pending and TTL counts as of the end of each one's last run):");
  for (const t of s.tasks ?? []) out.push(`  ${taskLine(t, s.at)}`);
  const ss = s.sessions;
  if (!ss.accessExclusive.length && !ss.idleInTransaction.length && !ss.longTransactions.length)
    out.push('sessions on wxyc_schema: no ACCESS EXCLUSIVE holder, no long or idle transaction');
  else out.push('sessions on wxyc_schema:');
  for (const h of ss.accessExclusive) {
    out.push(`  ACCESS EXCLUSIVE on ${h.relation}: ${session(h)}`);
    for (const w of h.waiters) out.push(`    waiting ${w.waitS ?? '?'}s: ${session(w)}`);
  }
  for (const x of ss.idleInTransaction) out.push(`  idle in transaction: ${session(x)}`);
  for (const x of ss.longTransactions) out.push(`  long transaction: ${session(x)}`);
  const off = s.clocks.filter((c) => Math.abs(c.skewS) > CLOCK_SKEW_LIMIT_S);
  out.push(
    off.length
      ? 'host clocks:'
      : `host clocks: ${s.clocks.length} host(s), each within ${CLOCK_SKEW_LIMIT_S}s of the database server`,
  );
  for (const c of off) out.push(`  ${pad(c.host, 28)} ${clockLine(c)}`);
  if (s.junkRuns.length) out.push('junk job_runs rows (ignored):');
  for (const j of s.junkRuns) out.push(`  row ${j.id} ${j.job} on ${j.host}: started_at ${j.startedAt}`);
  out.push(retiredLine(s.retired ?? [], (d) => fmtAge(s.at.getTime() - d.getTime())));
  out.push(s.problems.length ? `PROBLEMS (${s.problems.length}):` : 'all clear');
  for (const p of s.problems) out.push(`  - ${p}`);
  return out.map(printable).join('\n');
}
