import { describe, expect, it } from 'vitest';
import { maskUrl } from '@wxyc/database';

describe('maskUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(maskUrl('postgres://wxyc:s3cr%40t@db.internal:5432/wxyc?sslmode=require')).toBe(
      'postgres://wxyc:***@db.internal:5432/wxyc?sslmode=require',
    );
  });
  it('leaves a URL without password alone', () => {
    expect(maskUrl('postgres://wxyc@db/wxyc')).toBe('postgres://wxyc@db/wxyc');
  });
  it('hides the password even when the URL does not parse', () => {
    const masked = maskUrl('mysql://root:p@ss:word@[bad/legacy');
    expect(masked).not.toContain('ss:word');
    expect(masked).toContain('***');
  });
});
