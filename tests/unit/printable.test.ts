import { describe, expect, it } from 'vitest';
import { printable } from '@wxyc/job-runtime';

describe('printable', () => {
  it('escapes C0, DEL, C1, line separators and bidi overrides; leaves other text alone', () => {
    expect(printable('host-a')).toBe('host-a');
    expect(printable('é ü — 東京')).toBe('é ü — 東京');
    expect(printable('a\u001b[31mred\u001b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(printable('x\ny\rz\t\u0000\u007f\u009b')).toBe('x\\ny\\rz\\t\\x00\\x7f\\x9b');
    expect(printable('a\u2028b\u202ec')).toBe('a\\u2028b\\u202ec');
  });
});
