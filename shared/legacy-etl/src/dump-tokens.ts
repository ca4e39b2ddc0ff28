/**
 * A streaming tokenizer for the SQL that mysqldump writes. It works on bytes, chunk by chunk,
 * and keeps its state between chunks, so a string, escape or comment may span any boundary.
 * Comments (`-- `, `#`, `/* *\/`, including mysqldump's `/*!40101 ... *\/` version comments)
 * are dropped; strings are unescaped (backslash escapes and doubled quotes) and decoded as
 * UTF-8, with invalid bytes becoming U+FFFD (counted later by textCell).
 */
export type TokenKind = 'word' | 'string' | 'ident' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based line of the dump the token starts on. */
  line: number;
}

export class DumpSyntaxError extends Error {
  override name = 'DumpSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const enum S {
  Normal,
  Word,
  Str,
  StrEscape,
  StrQuote,
  Ident,
  IdentQuote,
  Dash,
  Slash,
  LineComment,
  Block,
  BlockStar,
}

const NL = 0x0a;
const ESCAPES: Record<number, number> = {
  0x30: 0x00, // \0
  0x62: 0x08, // \b
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x5a: 0x1a, // \Z
};

function isWordByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x5f ||
    b === 0x24 ||
    b === 0x2e ||
    b >= 0x80
  );
}

/** Growable byte buffer for the token being read. */
class Bytes {
  private buf = Buffer.allocUnsafe(256);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }
  take(): string {
    const s = this.buf.toString('utf8', 0, this.length);
    this.length = 0;
    return s;
  }
}

export class DumpTokenizer {
  private state = S.Normal;
  private quote = 0;
  private line = 1;
  private startLine = 1;
  private readonly bytes = new Bytes();

  /** Appends the tokens completed by this chunk to out. */
  feed(chunk: Uint8Array, out: Token[]): void {
    let i = 0;
    while (i < chunk.length) {
      const b = chunk[i]!;
      switch (this.state) {
        case S.Normal:
          if (b === NL) this.line++;
          if (b <= 0x20) break;
          this.startLine = this.line;
          if (b === 0x27 || b === 0x22) {
            this.quote = b;
            this.state = S.Str;
          } else if (b === 0x60) this.state = S.Ident;
          else if (b === 0x2d) this.state = S.Dash;
          else if (b === 0x2f) this.state = S.Slash;
          else if (b === 0x23) this.state = S.LineComment;
          else if (isWordByte(b)) {
            this.bytes.push(b);
            this.state = S.Word;
          } else out.push({ kind: 'punct', text: String.fromCharCode(b), line: this.line });
          break;
        case S.Word:
          if (isWordByte(b)) {
            this.bytes.push(b);
            break;
          }
          out.push({ kind: 'word', text: this.bytes.take(), line: this.startLine });
          this.state = S.Normal;
          continue; // this byte starts something else
        case S.Str:
          if (b === this.quote) this.state = S.StrQuote;
          else if (b === 0x5c) this.state = S.StrEscape;
          else {
            if (b === NL) this.line++;
            this.bytes.push(b);
          }
          break;
        case S.StrEscape:
          if (b === NL) this.line++;
          this.bytes.push(ESCAPES[b] ?? b); // \' \" \\ and unknown escapes stand for the byte itself
          this.state = S.Str;
          break;
        case S.StrQuote:
          if (b === this.quote) {
            this.bytes.push(b); // '' inside '...'
            this.state = S.Str;
            break;
          }
          out.push({ kind: 'string', text: this.bytes.take(), line: this.startLine });
          this.state = S.Normal;
          continue;
        case S.Ident:
          if (b === 0x60) this.state = S.IdentQuote;
          else {
            if (b === NL) this.line++;
            this.bytes.push(b);
          }
          break;
        case S.IdentQuote:
          if (b === 0x60) {
            this.bytes.push(b);
            this.state = S.Ident;
            break;
          }
          out.push({ kind: 'ident', text: this.bytes.take(), line: this.startLine });
          this.state = S.Normal;
          continue;
        case S.Dash:
          if (b === 0x2d) {
            this.state = S.LineComment;
            break;
          }
          if (isWordByte(b)) {
            this.bytes.push(0x2d); // a negative number
            this.state = S.Word;
          } else {
            out.push({ kind: 'punct', text: '-', line: this.startLine });
            this.state = S.Normal;
          }
          continue;
        case S.Slash:
          if (b === 0x2a) {
            this.state = S.Block;
            break;
          }
          out.push({ kind: 'punct', text: '/', line: this.startLine });
          this.state = S.Normal;
          continue;
        case S.LineComment:
          if (b === NL) {
            this.line++;
            this.state = S.Normal;
          }
          break;
        case S.Block:
          if (b === NL) this.line++;
          else if (b === 0x2a) this.state = S.BlockStar;
          break;
        case S.BlockStar:
          if (b === 0x2f) this.state = S.Normal;
          else if (b !== 0x2a) {
            if (b === NL) this.line++;
            this.state = S.Block;
          }
          break;
      }
      i++;
    }
  }

  /** Call at end of input: completes a trailing word, fails on an unterminated string or comment. */
  end(out: Token[]): void {
    switch (this.state) {
      case S.Word:
        out.push({ kind: 'word', text: this.bytes.take(), line: this.startLine });
        break;
      case S.StrQuote:
        out.push({ kind: 'string', text: this.bytes.take(), line: this.startLine });
        break;
      case S.IdentQuote:
        out.push({ kind: 'ident', text: this.bytes.take(), line: this.startLine });
        break;
      case S.Str:
      case S.StrEscape:
        throw new DumpSyntaxError('unterminated string (the dump ends inside it)', this.startLine);
      case S.Ident:
        throw new DumpSyntaxError('unterminated `identifier` (the dump ends inside it)', this.startLine);
      case S.Block:
      case S.BlockStar:
        throw new DumpSyntaxError('unterminated /* comment (the dump ends inside it)', this.startLine);
      case S.Dash:
      case S.Slash:
        out.push({ kind: 'punct', text: this.state === S.Dash ? '-' : '/', line: this.startLine });
        break;
    }
    this.state = S.Normal;
  }
}
