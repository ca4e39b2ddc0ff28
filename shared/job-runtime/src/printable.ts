// Names read from disk or from another host reach log lines and terminals: a newline there
// forges a log line, an ANSI escape rewrites the screen. One way to show such a string.

/** C0 and C1 controls, DEL, the Unicode line/paragraph separators and the bidi overrides. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g');

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Does `s` hold a character that `printable` would escape? */
export function hasControlCharacter(s: string): boolean {
  return UNPRINTABLE.test(s);
}

/**
 * `s` with every control character escaped (`\n`, `\x1b`, `\u2028`) and backslashes doubled, so
 * the result is one line and reads back unambiguously. Plain text comes back unchanged.
 */
export function printable(s: string): string {
  if (!UNPRINTABLE.test(s) && !s.includes('\\')) return s;
  return s.replace(/\\/g, '\\\\').replace(UNPRINTABLE_ALL, (c) => {
    const code = c.charCodeAt(0);
    return (
      SHORT[c] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}
