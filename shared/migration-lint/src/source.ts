/** Byte offsets (what libpg_query reports) to 1-based lines of a file. */
export class SourceText {
  readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 0x0a) this.lineStarts.push(i + 1);
  }

  lineAt(byteOffset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= byteOffset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  slice(start: number, end: number): string {
    return this.bytes.subarray(start, end).toString('utf8');
  }

  /** The offset of the first SQL token at or after `offset` (skips blanks and comments). */
  firstToken(offset: number): number {
    const b = this.bytes;
    let i = offset;
    for (;;) {
      while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
      if (b[i] === 0x2d && b[i + 1] === 0x2d) {
        while (i < b.length && b[i] !== 0x0a) i++;
      } else if (b[i] === 0x2f && b[i + 1] === 0x2a) {
        const end = b.indexOf('*/', i + 2);
        i = end < 0 ? b.length : end + 2;
      } else {
        return i;
      }
    }
  }

  /** Lines of the contiguous comment block directly above `line` (nearest first). */
  commentsAbove(line: number): { line: number; text: string }[] {
    const lines = this.text.split('\n');
    const out: { line: number; text: string }[] = [];
    for (let l = line - 1; l >= 1; l--) {
      const t = lines[l - 1]!.trim();
      if (!t.startsWith('--')) break;
      out.push({ line: l, text: t });
    }
    return out;
  }
}
