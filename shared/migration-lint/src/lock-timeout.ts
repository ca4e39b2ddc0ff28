import { durationMs, readMigrateSettings } from '@wxyc/database';
import type { Add } from './checks.js';
import { findAll, isTrue, strings, tableKey } from './nodes.js';
import type { Node, Unit } from './parse.js';

/**
 * lock_timeout bounds how long a statement WAITS for its lock, never how long it runs (that is
 * statement_timeout). The runner sets MIGRATE_LOCK_TIMEOUT (2s) on every statement; a migration
 * may change it for itself with SET LOCAL (session-setting refuses a plain SET). Which waits are
 * legitimately longer than 2 s depends on the lock mode:
 *  - a lock that blocks writes (SHARE and stronger: almost all ALTER TABLE, CREATE INDEX,
 *    CREATE TRIGGER, DROP, RENAME...) queues every later query of the table behind it while it
 *    waits: a long wait IS the outage, so 2 s must stay (the runner rolls back and retries);
 *  - SHARE UPDATE EXCLUSIVE (VALIDATE CONSTRAINT) blocks no read or write, and waits only for
 *    VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and DDL on the table, which on a big table run for
 *    minutes (an anti-wraparound autovacuum does not give way): waiting is free, failing at 2 s
 *    only makes the runner retry, so such a step should raise lock_timeout.
 */

// ALTER TABLE subcommands that take only SHARE UPDATE EXCLUSIVE (PostgreSQL's AlterTableGetLockLevel).
const SUE_ONLY = new Set([
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetOptions',
  'AT_ResetOptions',
]);

/** The settings the runner would start with (no DATABASE_URL is read: a placeholder satisfies the parser). */
const RUNNER_ENV = { DATABASE_URL: 'postgres://lint@localhost/lint' };
const runnerLockTimeout = (): string => readMigrateSettings(RUNNER_ENV).lockTimeout;

const RUNNER_VARIABLE: Record<string, string> = {
  lock_timeout: 'MIGRATE_LOCK_TIMEOUT',
  statement_timeout: 'MIGRATE_STATEMENT_TIMEOUT',
};

/** A transaction-local timeout setting: SET LOCAL name = v, or set_config('name', 'v', true). */
function localTimeout(u: Unit): { name: string; value: string } | undefined {
  const n = u.node;
  if (u.type === 'VariableSetStmt' && n.is_local && RUNNER_VARIABLE[n.name] && n.kind === 'VAR_SET_VALUE') {
    const c = n.args?.[0]?.A_Const;
    const value = c?.sval?.sval ?? (c?.ival ? String(c.ival.ival ?? 0) : undefined);
    return value === undefined ? undefined : { name: n.name, value };
  }
  for (const f of findAll(n, 'FuncCall')) {
    // A session-level set_config (false) is session-setting's; only a local one changes this migration.
    if (strings(f.funcname).at(-1)?.toLowerCase() !== 'set_config' || !isTrue(f.args?.[2])) continue;
    const [name, value] = (f.args ?? []).slice(0, 2).map((a: Node) => a.A_Const?.sval?.sval);
    if (name && value !== undefined && RUNNER_VARIABLE[name]) return { name, value };
  }
  return undefined;
}

/** The value as the runner's own settings parser reads it, or why it refuses it. */
function runnerVerdict(name: string, value: string): { ms: number } | { refused: string } {
  try {
    const s = readMigrateSettings({ ...RUNNER_ENV, [RUNNER_VARIABLE[name]!]: value });
    return { ms: durationMs(name === 'lock_timeout' ? s.lockTimeout : s.statementTimeout) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

/** Existing tables on which the statement takes a lock that blocks writes (SHARE or stronger). */
function writeBlocked(u: Unit, created: Set<string>): string[] {
  const n = u.node;
  const existing = (t: string) => (created.has(t) ? [] : [t]);
  switch (u.type) {
    case 'AlterTableStmt': {
      if (n.objtype && n.objtype !== 'OBJECT_TABLE') return [];
      const cmds: Node[] = (n.cmds ?? []).map((x: Node) => x.AlterTableCmd);
      const fkTargets = cmds
        .filter((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN')
        .map((c) => tableKey(c.def.Constraint.pktable));
      const own = cmds.some((c) => !SUE_ONLY.has(c.subtype)) ? [tableKey(n.relation)] : [];
      return [...own, ...fkTargets].flatMap(existing);
    }
    case 'IndexStmt':
    case 'CreateTrigStmt':
      return n.concurrent ? [] : existing(tableKey(n.relation));
    case 'RenameStmt':
    case 'ClusterStmt':
      return n.relation ? existing(tableKey(n.relation)) : [];
    case 'TruncateStmt':
      return (n.relations ?? []).flatMap((r: Node) => existing(tableKey(r.RangeVar)));
    case 'DropStmt': {
      const names = (n.objects ?? []).map((o: Node) => strings(o.List?.items));
      if (n.removeType === 'OBJECT_TABLE')
        return names.flatMap((p: string[]) => existing(p.length > 1 ? p.slice(-2).join('.') : `public.${p[0]}`));
      return n.removeType === 'OBJECT_INDEX' && !n.concurrent
        ? names.map((p: string[]) => `the table of index ${p.at(-1)}`)
        : [];
    }
    case 'LockStmt':
      return n.mode >= 5 ? (n.relations ?? []).flatMap((r: Node) => existing(tableKey(r.RangeVar))) : [];
    default:
      return [];
  }
}

/** lock-timeout-not-raised, lock-timeout-raised-for-blocking-lock and timeout-outside-runner-range over one file. */
export function checkLockTimeouts(units: Unit[], noTransaction: boolean, created: Set<string>, add: Add): void {
  if (noTransaction) return; // one statement, no SET LOCAL possible: MIGRATE_LOCK_TIMEOUT at deploy (docs/migrations.md)
  const fallback = runnerLockTimeout();
  const defaultMs = durationMs(fallback);
  let lockTimeoutMs = defaultMs;
  let raisedAt: Unit | undefined;
  const blocking = units.map((u) => ({ u, tables: writeBlocked(u, created) })).filter((b) => b.tables.length);
  for (const u of units) {
    const set = localTimeout(u);
    if (
      u.type === 'VariableSetStmt' &&
      u.node.name === 'lock_timeout' &&
      ['VAR_SET_DEFAULT', 'VAR_RESET'].includes(u.node.kind)
    )
      lockTimeoutMs = defaultMs;
    if (set) {
      const verdict = runnerVerdict(set.name, set.value);
      if ('refused' in verdict) {
        add(
          u,
          'timeout-outside-runner-range',
          `SET LOCAL ${set.name} = '${set.value}': the runner refuses that value (${verdict.refused.replace(/ Unset it.*$/, '')})`,
        );
      } else if (set.name === 'lock_timeout') {
        lockTimeoutMs = verdict.ms;
        if (verdict.ms > defaultMs) raisedAt ??= u;
      }
    }
    // In a migration that also takes a write-blocking lock the default must stay (the rule below):
    // there a wait behind VACUUM is left to the runner's retry.
    if (u.type !== 'AlterTableStmt' || lockTimeoutMs > defaultMs || blocking.length) continue;
    const table = tableKey(u.node.relation);
    const validate = (u.node.cmds ?? [])
      .map((x: Node) => x.AlterTableCmd)
      .find((c: Node) => c.subtype === 'AT_ValidateConstraint');
    if (validate && !created.has(table)) {
      add(
        u,
        'lock-timeout-not-raised',
        `VALIDATE CONSTRAINT ${validate.name} on ${table} waits at most the runner's lock_timeout (${fallback}) behind a VACUUM or ANALYZE of the table, though its lock blocks no read or write: SET LOCAL lock_timeout = '1min' before it`,
        table,
      );
    }
  }
  if (!raisedAt) return;
  for (const b of blocking) {
    add(
      b.u,
      'lock-timeout-raised-for-blocking-lock',
      `lock_timeout raised above the runner's ${fallback} (line ${raisedAt.line}) in a migration that takes a write-blocking lock on ${b.tables.join(', ')}: readers and writers queue behind it for as long as it waits (or it holds the lock while a later statement waits). Put the step with the raised lock_timeout in a migration of its own`,
    );
  }
}
