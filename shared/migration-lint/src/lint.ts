import { join } from 'node:path';
import {
  describeTableSize,
  lookupTableSize,
  migrationTitle,
  readMigrationSet,
  strayAdvice,
  type TableStats,
} from '@wxyc/database';
import { checkFile, newHistory, type History, type RawFinding } from './checks.js';
import { HISTORICAL_EXCEPTIONS } from './config.js';
import type { SchemaTables } from './drizzle-schema.js';
import { SqlParseError, parseFile, type ParsedFile } from './parse.js';
import { isRuleId, LOCK_RULES, type RuleId } from './rules.js';

export interface Finding {
  file: string;
  line: number;
  rule: RuleId;
  message: string;
  /** A note does not fail the lint: a lock rule on a table that stats.json says is small. */
  severity: 'error' | 'note';
}

/** Table sizes make lock rules size-aware (docs/migrations.md, "Size-aware rules"). */
export interface SizeOptions {
  stats?: TableStats;
  /** Rows from which a table is big (default 100,000). */
  bigTableRows?: number;
}

/** What the linter knows besides the SQL: table sizes, and the drizzle schema the backend uses. */
export interface LintOptions extends SizeOptions {
  /** Tables and columns of the drizzle schema (`schemaTables(schema)`): DROPs of them fail (drop-in-schema). */
  schema?: SchemaTables;
}

export const DEFAULT_BIG_TABLE_ROWS = 100_000;

export interface LintResult {
  findings: Finding[];
  /** Findings waived by a marker or the historical allowlist, with the reason. */
  waived: (Finding & { reason: string })[];
}

export const NO_TRANSACTION_MARKER = '-- migrate:no-transaction';
const MARKER = /^--\s*migrate-lint allow\s+([^\s:]+)\s*(?::\s*(.*))?$/;

/**
 * Lints one migration file. `history` carries what earlier files established (validated NOT NULL
 * checks); `tag` picks up a historical exception, if any.
 */
export function lintSource(
  file: string,
  text: string,
  history: History = newHistory(),
  tag?: string,
  sizes: LintOptions = {},
): LintResult {
  const result: LintResult = { findings: [], waived: [] };
  let parsed: ParsedFile;
  try {
    parsed = parseFile(text);
  } catch (err) {
    if (!(err instanceof SqlParseError)) throw err;
    result.findings.push({ file, line: err.line, rule: 'parse-error', message: err.message, severity: 'error' });
    return result;
  }
  const noTransaction = text.trimStart().startsWith(NO_TRANSACTION_MARKER);
  const raw = checkFile(parsed, noTransaction, history, sizes.schema);

  // Markers: comment lines directly above a top-level statement.
  const markers = parsed.tops.flatMap((t) =>
    parsed.source.commentsAbove(t.line).flatMap((c) => {
      const m = c.text.match(MARKER);
      return m ? [{ topLine: t.line, line: c.line, rule: m[1]!, reason: m[2]?.trim() ?? '', used: false }] : [];
    }),
  );
  const exception = tag ? historicalException(tag) : undefined;
  for (const f of raw) {
    const finding: Finding = { file, line: f.line, rule: f.rule, ...sized(f, sizes) };
    const marker = markers.find((m) => m.topLine === f.topLine && m.rule === f.rule && m.reason);
    if (marker) {
      marker.used = true;
      result.waived.push({ ...finding, reason: `marker: ${marker.reason}` });
    } else if (exception?.rules.includes(f.rule)) {
      result.waived.push({ ...finding, reason: `historical exception: ${exception.reason}` });
    } else {
      result.findings.push(finding);
    }
  }
  for (const m of markers) {
    if (!isRuleId(m.rule) || !m.reason) {
      result.findings.push({
        file,
        line: m.line,
        rule: 'allow-marker-invalid',
        severity: 'error',
        message: !isRuleId(m.rule)
          ? `unknown rule id "${m.rule}" in allow marker`
          : `allow marker for ${m.rule} has no justification after the colon`,
      });
    } else if (!m.used) {
      result.findings.push({
        file,
        line: m.line,
        rule: 'allow-marker-unused',
        severity: 'error',
        message: `allow marker for ${m.rule}, but the statement below does not break it`,
      });
    }
  }
  // A marker line that is not directly above any statement is unused too.
  const attached = new Set(markers.map((m) => m.line));
  text.split('\n').forEach((l, i) => {
    if (MARKER.test(l.trim()) && !attached.has(i + 1)) {
      result.findings.push({
        file,
        line: i + 1,
        rule: 'allow-marker-unused',
        severity: 'error',
        message: 'allow marker not directly above a statement',
      });
    }
  });
  result.findings.sort((a, b) => a.line - b.line);
  return result;
}

/**
 * A lock rule names its table's size; with stats it is an error only on a big table (or one
 * stats.json does not know), a note on a small one. A finding about several tables (a foreign
 * key locks the referenced one too) names every size and is an error when any of them is big.
 * Other rules are always errors.
 */
function sized(f: RawFinding, sizes: SizeOptions): { message: string; severity: 'error' | 'note' } {
  if (f.catalogOnly && (!f.table || !sizes.stats)) return { message: f.message, severity: 'note' };
  if (!LOCK_RULES.has(f.rule) || !f.table || !sizes.stats) return { message: f.message, severity: 'error' };
  const big = sizes.bigTableRows ?? DEFAULT_BIG_TABLE_ROWS;
  const tables = [f.table, ...(f.alsoTables ?? [])].map((t) => ({ name: t, size: lookupTableSize(sizes.stats, t) }));
  const small = tables.every(({ size }) => size && size.reltuples >= 0 && size.reltuples < big);
  const described = tables.map(({ name, size }) => `${size?.table ?? name}: ${describeTableSize(size)}`).join('; ');
  return {
    message: `${f.message} [${described}; big from ${big.toLocaleString('en-US')} rows]`,
    severity: small || f.catalogOnly ? 'note' : 'error',
  };
}

/**
 * The exception for a tag; after the move to drizzle-kit 1.0 folders (`drizzle-kit up` keeps the
 * name and swaps the NNNN_ number for a timestamp) the same migration is found by its title.
 */
function historicalException(tag: string): (typeof HISTORICAL_EXCEPTIONS)[string] | undefined {
  const title = migrationTitle(tag);
  return (
    HISTORICAL_EXCEPTIONS[tag] ?? Object.entries(HISTORICAL_EXCEPTIONS).find(([k]) => migrationTitle(k) === title)?.[1]
  );
}

/** Lints every migration of a migrations folder (either layout), in the order they apply. */
export function lintDirectory(dir: string, sizes: LintOptions = {}): LintResult {
  const set = readMigrationSet(dir);
  const history = newHistory();
  const result: LintResult = { findings: [], waived: [] };
  for (const m of set.migrations) {
    const r = lintSource(m.file, m.content, history, m.tag, sizes);
    result.findings.push(...r.findings);
    result.waived.push(...r.waived);
  }
  // The rule keeps its id in both layouts: a .sql file that nothing applies.
  for (const name of set.strays) {
    result.findings.push({
      file: join(dir, name),
      line: 1,
      rule: 'file-not-in-journal',
      severity: 'error',
      message: `${name} ${lintStrayMessage(set.layout)}`,
    });
  }
  return result;
}

function lintStrayMessage(layout: 'journal' | 'folders'): string {
  return layout === 'journal'
    ? 'has no entry in meta/_journal.json: the runner and --status never apply it'
    : strayAdvice(layout);
}
