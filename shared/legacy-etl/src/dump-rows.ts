import { DumpSyntaxError, DumpTokenizer, type Token } from './dump-tokens.js';

export type DumpValue = string | number | null;

export interface DumpRow {
  table: string;
  /** Line of the dump where the row's `(` is. */
  line: number;
  /** Column name -> value, like a mysql2 result row. */
  row: Record<string, DumpValue>;
}

export interface DumpReadOptions {
  /** Only rows of these tables are returned (all statements are still checked). */
  tables?: readonly string[];
  /** Column order for INSERTs that have no column list and no CREATE TABLE before them. */
  knownColumns?: Record<string, readonly string[]>;
}

const enum P {
  Start,
  Skip,
  InsertHead,
  InsertColumns,
  RowOpen,
  Value,
  AfterValue,
  AfterRow,
  CreateHead,
  CreateName,
  CreateBody,
}

/**
 * Turns mysqldump tokens into rows: `INSERT [IGNORE] INTO t [(cols)] VALUES (...),(...);`
 * gives rows; `CREATE TABLE t (...)` gives t's column order. Every other statement is skipped
 * up to its `;`. A push parser, so rows come out as the bytes stream in.
 */
export class DumpParser {
  private state = P.Start;
  private readonly columnsOf = new Map<string, readonly string[]>();
  private table = '';
  private columns: string[] = [];
  private values: DumpValue[] = [];
  private rowLine = 0;
  private introducer = false; // `_binary 'x'` / `_utf8mb4 'x'`: the string that follows is the value
  private depth = 0;
  private expectColumn = false;
  private readonly wanted: Set<string> | null;

  constructor(private readonly opts: DumpReadOptions = {}) {
    this.wanted = opts.tables ? new Set(opts.tables) : null;
    for (const [t, cols] of Object.entries(opts.knownColumns ?? {})) this.columnsOf.set(t, cols);
  }

  push(t: Token, out: DumpRow[]): void {
    const word = t.kind === 'word' ? t.text.toUpperCase() : '';
    const punct = t.kind === 'punct' ? t.text : '';
    switch (this.state) {
      case P.Start:
        if (punct === ';') return;
        if (word === 'INSERT' || word === 'REPLACE') {
          this.table = '';
          this.columns = [];
          this.state = P.InsertHead;
        } else if (word === 'CREATE') this.state = P.CreateHead;
        else this.state = P.Skip;
        return;
      case P.Skip:
        if (punct === ';') this.state = P.Start;
        return;
      case P.InsertHead:
        if (!this.table) {
          if (
            t.kind === 'ident' ||
            (t.kind === 'word' && !['INTO', 'IGNORE', 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY'].includes(word))
          ) {
            this.table = t.text;
          }
          return;
        }
        if (punct === '(') this.state = P.InsertColumns;
        else if (word === 'VALUES' || word === 'VALUE') {
          this.resolveColumns(t.line);
          this.state = P.RowOpen;
        } else
          throw new DumpSyntaxError(`expected VALUES after INSERT INTO \`${this.table}\`, found ${show(t)}`, t.line);
        return;
      case P.InsertColumns:
        if (t.kind === 'ident' || t.kind === 'word') this.columns.push(t.text);
        else if (punct === ')') this.state = P.InsertHead;
        else if (punct !== ',')
          throw new DumpSyntaxError(`unexpected ${show(t)} in the column list of \`${this.table}\``, t.line);
        return;
      case P.RowOpen:
        if (punct !== '(')
          throw new DumpSyntaxError(`expected ( to start a row of \`${this.table}\`, found ${show(t)}`, t.line);
        this.values = [];
        this.rowLine = t.line;
        this.state = P.Value;
        return;
      case P.Value:
        this.value(t);
        return;
      case P.AfterValue:
        if (punct === ',') this.state = P.Value;
        else if (punct === ')') {
          this.emitRow(t.line, out);
          this.state = P.AfterRow;
        } else
          throw new DumpSyntaxError(`expected , or ) after a value of \`${this.table}\`, found ${show(t)}`, t.line);
        return;
      case P.AfterRow:
        if (punct === ',') this.state = P.RowOpen;
        else if (punct === ';') this.state = P.Start;
        else if (word === 'ON')
          this.state = P.Skip; // ON DUPLICATE KEY UPDATE ...
        else throw new DumpSyntaxError(`expected , or ; after a row of \`${this.table}\`, found ${show(t)}`, t.line);
        return;
      case P.CreateHead:
        if (word === 'TABLE') {
          this.table = '';
          this.state = P.CreateName;
        } else if (word === 'TEMPORARY' || word === 'OR' || word === 'REPLACE') return;
        else this.state = punct === ';' ? P.Start : P.Skip;
        return;
      case P.CreateName:
        if (t.kind === 'ident' || (t.kind === 'word' && !['IF', 'NOT', 'EXISTS'].includes(word))) this.table = t.text;
        else if (punct === '(' && this.table) {
          this.columns = [];
          this.depth = 1;
          this.expectColumn = true;
          this.state = P.CreateBody;
        } else if (punct === ';') this.state = P.Start;
        return;
      case P.CreateBody:
        if (punct === '(') this.depth++;
        else if (punct === ')') {
          if (--this.depth === 0) {
            this.columnsOf.set(this.table, this.columns);
            this.state = P.Skip;
          }
        } else if (punct === ',' && this.depth === 1) {
          this.expectColumn = true;
          return;
        } else if (this.expectColumn && this.depth === 1 && t.kind === 'ident') this.columns.push(t.text);
        this.expectColumn = false;
        return;
    }
  }

  /** Call at end of input: a statement left open means the dump was cut short. */
  end(lastLine: number): void {
    if (this.state !== P.Start && this.state !== P.Skip) {
      throw new DumpSyntaxError(`the dump ends inside an INSERT INTO \`${this.table}\` (is it truncated?)`, lastLine);
    }
  }

  private value(t: Token): void {
    if (t.kind === 'string') {
      this.values.push(t.text);
      this.introducer = false;
      this.state = P.AfterValue;
      return;
    }
    if (this.introducer)
      throw new DumpSyntaxError(`expected a string after a charset introducer, found ${show(t)}`, t.line);
    if (t.kind === 'word') {
      const w = t.text;
      if (/^null$/i.test(w)) this.values.push(null);
      else if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(w)) this.values.push(Number(w));
      else if (/^0x[0-9a-f]*$/i.test(w)) this.values.push(Buffer.from(w.slice(2), 'hex').toString('utf8'));
      else if (w.startsWith('_')) {
        this.introducer = true; // _binary / _utf8mb4 '...'
        return;
      } else throw new DumpSyntaxError(`unexpected value ${show(t)} in a row of \`${this.table}\``, t.line);
      this.state = P.AfterValue;
      return;
    }
    if (t.text === '-' || t.text === '+') return; // a sign separated from its number is not written by mysqldump
    throw new DumpSyntaxError(`expected a value in a row of \`${this.table}\`, found ${show(t)}`, t.line);
  }

  private resolveColumns(line: number): void {
    if (this.columns.length > 0) return;
    const known = this.columnsOf.get(this.table);
    if (!known) {
      throw new DumpSyntaxError(
        `INSERT INTO \`${this.table}\` has no column list and no CREATE TABLE precedes it`,
        line,
      );
    }
    this.columns = [...known];
  }

  private emitRow(line: number, out: DumpRow[]): void {
    if (this.values.length !== this.columns.length) {
      throw new DumpSyntaxError(
        `a row of \`${this.table}\` has ${this.values.length} values but the table has ${this.columns.length} columns`,
        this.rowLine || line,
      );
    }
    if (this.wanted && !this.wanted.has(this.table)) return;
    const row: Record<string, DumpValue> = {};
    for (let i = 0; i < this.columns.length; i++) row[this.columns[i]!] = this.values[i]!;
    out.push({ table: this.table, line: this.rowLine, row });
  }
}

function show(t: Token): string {
  return t.kind === 'string' ? 'a string' : t.kind === 'ident' ? `\`${t.text}\`` : JSON.stringify(t.text);
}

/**
 * Rows of a mysqldump, streamed: the input is read chunk by chunk and rows are yielded as soon
 * as they are complete; memory stays at one chunk plus one value. A syntax error is a
 * DumpSyntaxError carrying the dump's line number.
 */
export async function* readDumpRows(
  input: AsyncIterable<Uint8Array | string>,
  opts: DumpReadOptions = {},
): AsyncGenerator<DumpRow> {
  const tokenizer = new DumpTokenizer();
  const parser = new DumpParser(opts);
  const tokens: Token[] = [];
  const rows: DumpRow[] = [];
  let lastLine = 1;
  // Rows are handed out as each completes, so every row before a syntax error reaches the caller.
  const drain = function* (): Generator<DumpRow> {
    try {
      for (const t of tokens) {
        parser.push(t, rows);
        lastLine = t.line;
        if (rows.length > 0) {
          yield* rows;
          rows.length = 0;
        }
      }
    } finally {
      tokens.length = 0;
    }
  };
  for await (const chunk of input) {
    tokenizer.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, tokens);
    yield* drain();
  }
  tokenizer.end(tokens);
  yield* drain();
  parser.end(lastLine);
}
