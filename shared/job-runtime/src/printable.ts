/**
 * Text from a database or a peer made safe for a terminal: control characters (C0, DEL, C1),
 * which includes ESC and so every ANSI escape sequence, and Unicode line/paragraph separators
 * and bidi overrides become visible escapes (`\x1b`, `\n`, `\u202e`). A `host` column saying
 * "\x1b[2J" or "ok\r" then reads as what it is instead of clearing the screen or faking a line.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
