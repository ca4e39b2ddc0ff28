import { describe, expect, it } from 'vitest';
import { hasControlCharacter, printable } from '@wxyc/job-runtime';

describe('printable', () => {
  it('leaves plain text as it is', () => {
    expect(printable('/repo/migrations/20250101000000_a/migration.sql')).toBe(
      '/repo/migrations/20250101000000_a/migration.sql',
    );
    expect(printable('Ünïcödé ok')).toBe('Ünïcödé ok');
    expect(hasControlCharacter('plain')).toBe(false);
  });

  it('escapes newlines, ANSI escapes, DEL, C1, line separators and bidi overrides into one line', () => {
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('x\u001b[2Jy\u007f\u0085')).toBe('x\\x1b[2Jy\\x7f\\x85');
    expect(printable('p\u2028q\u202er')).toBe('p\\u2028q\\u202er');
    expect(printable('0\u0000')).toBe('0\\x00');
    expect(hasControlCharacter('a\nb')).toBe(true);
  });

  it('doubles backslashes so an escape in the output is never ambiguous with the text', () => {
    expect(printable('a\\nb')).toBe('a\\\\nb');
    expect(printable('a\\nb')).not.toBe(printable('a\nb'));
  });
});
