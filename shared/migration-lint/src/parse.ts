import { loadModule, parsePlPgSQLSync, parseSync } from 'libpg-query';
import { SourceText } from './source.js';

/** A node of libpg_query's JSON tree: `{ NodeType: { ...fields } }`. */
export type Node = Record<string, any>;

/** A statement to check: top-level, or one inside a DO block's PL/pgSQL body. */
export interface Unit {
  type: string;
  node: Node;
  /** 1-based line of the statement's first token in the file. */
  line: number;
  /** The top-level statement (its own unit, or the DO it sits in): markers attach to it. */
  top: TopStatement;
  inDo: boolean;
}

export interface TopStatement {
  index: number;
  type: string;
  line: number;
}

export interface DynamicSql {
  line: number;
  top: TopStatement;
}

export interface ParsedFile {
  source: SourceText;
  tops: TopStatement[];
  units: Unit[];
  /** EXECUTE of a string built at run time inside a DO block: the linter cannot see it. */
  dynamic: DynamicSql[];
}

export class SqlParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

let loaded: Promise<void> | undefined;
/** The parser is WASM: load it once before the first parse. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

const typeOf = (stmt: Node): string => Object.keys(stmt)[0]!;
/** libpg_query's tree, read through our loose Node type (the rules look at a handful of fields). */
const parseTree = (sql: string): { stmts?: Node[] } => parseSync(sql) as unknown as { stmts?: Node[] };

export function parseFile(text: string): ParsedFile {
  const source = new SourceText(text);
  let tree: { stmts?: Node[] };
  try {
    tree = parseTree(text);
  } catch (err) {
    const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    throw new SqlParseError((err as Error).message, source.lineAt(Buffer.byteLength(text.slice(0, pos))));
  }
  const out: ParsedFile = { source, tops: [], units: [], dynamic: [] };
  (tree.stmts ?? []).forEach((raw: Node, index: number) => {
    const start = source.firstToken(raw.stmt_location ?? 0);
    const type = typeOf(raw.stmt);
    const top: TopStatement = { index, type, line: source.lineAt(start) };
    out.tops.push(top);
    out.units.push({ type, node: raw.stmt[type], line: top.line, top, inDo: false });
    if (type === 'DoStmt') {
      const end = (raw.stmt_location ?? 0) + (raw.stmt_len ?? source.bytes.length);
      addDoBody(out, top, source, start, source.slice(start, end), raw.stmt.DoStmt);
    }
  });
  return out;
}

function addDoBody(
  out: ParsedFile,
  top: TopStatement,
  source: SourceText,
  start: number,
  stmtText: string,
  node: Node,
): void {
  const body: string | undefined = node.args?.find((a: Node) => a.DefElem?.defname === 'as')?.DefElem.arg?.String?.sval;
  const language: string =
    node.args?.find((a: Node) => a.DefElem?.defname === 'language')?.DefElem.arg?.String?.sval ?? 'plpgsql';
  if (body === undefined || language.toLowerCase() !== 'plpgsql') return;
  // PL/pgSQL line numbers count from the line where the body starts.
  const bodyAt = stmtText.indexOf(body);
  const bodyLine = source.lineAt(start + Buffer.byteLength(stmtText.slice(0, Math.max(0, bodyAt))));
  const fn = parsePlPgSQLSync(stmtText);
  walkPlpgsql(fn, 0, (kind, value, lineno) => {
    const line = bodyLine + Math.max(1, lineno) - 1;
    if (kind === 'PLpgSQL_stmt_execsql') {
      addEmbedded(out, top, value.sqlstmt?.PLpgSQL_expr?.query, line);
    } else if (kind === 'PLpgSQL_stmt_perform') {
      // PERFORM f(...) arrives as "SELECT f(...)": checked like any query (set_config, ...).
      addEmbedded(out, top, value.expr?.PLpgSQL_expr?.query, line);
    } else if (kind === 'PLpgSQL_stmt_dynexecute') {
      const literal = stringLiteral(value.query?.PLpgSQL_expr?.query);
      if (literal === undefined) out.dynamic.push({ line, top });
      else addEmbedded(out, top, literal, line);
    }
  });
}

function addEmbedded(out: ParsedFile, top: TopStatement, query: string | undefined, line: number): void {
  if (!query) return;
  for (const s of parseTree(query).stmts ?? []) {
    const type = typeOf(s.stmt);
    out.units.push({ type, node: s.stmt[type], line, top, inDo: true });
  }
}

/** The value of an SQL string literal expression (`'...'`), or undefined if it is anything else. */
function stringLiteral(expr: string | undefined): string | undefined {
  if (!expr) return undefined;
  const target = parseTree(`SELECT ${expr}`).stmts?.[0]?.stmt?.SelectStmt?.targetList;
  const val = target?.length === 1 ? target[0].ResTarget?.val : undefined;
  return val?.A_Const?.sval?.sval;
}

/** Calls `visit` for every PLpgSQL_stmt_* node, with the nearest line number. */
function walkPlpgsql(node: unknown, lineno: number, visit: (kind: string, value: Node, lineno: number) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walkPlpgsql(n, lineno, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key.startsWith('PLpgSQL_stmt_') && value && typeof value === 'object') {
      const at = typeof value.lineno === 'number' ? value.lineno : lineno;
      visit(key, value, at);
      walkPlpgsql(value, at, visit);
    } else {
      walkPlpgsql(value, lineno, visit);
    }
  }
}
