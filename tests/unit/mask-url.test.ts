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
    expect(maskUrl('postgres://wxyc@db/wxyc?sslmode=verify-full&sslkey=/run/secrets/client.key')).toBe(
      'postgres://wxyc@db/wxyc?sslmode=verify-full&sslkey=/run/secrets/client.key',
    );
  });
  it('hides the password even when the URL does not parse', () => {
    const masked = maskUrl('mysql://root:p@ss:word@[bad/legacy');
    expect(masked).not.toContain('ss:word');
    expect(masked).toContain('***');
  });

  it.each([
    ['postgres://u@db/wxyc?password=Secret1', 'postgres://u@db/wxyc?password=***'],
    [
      'postgres://u@db/wxyc?sslmode=require&PASSWORD=Secret1&x=1',
      'postgres://u@db/wxyc?sslmode=require&PASSWORD=***&x=1',
    ],
    ['postgres://u@db/wxyc?sslpassword=Secret1&sslkey=/k', 'postgres://u@db/wxyc?sslpassword=***&sslkey=/k'],
    ['postgres://u:Secret1@db/wxyc?password=Secret1', 'postgres://u:***@db/wxyc?password=***'],
    ['mysql://root@legacy/wxyc?password=Secret1', 'mysql://root@legacy/wxyc?password=***'],
    ['postgres://u@db/wxyc?pass%77ord=Secret1', 'postgres://u@db/wxyc?pass%77ord=***'],
  ])('hides a password in the query string: %s', (url, want) => {
    expect(maskUrl(url)).toBe(want);
    expect(maskUrl(url)).not.toContain('Secret1');
  });

  it.each([
    'u:Secret2@host/db',
    'u:Secret2@host:5432/db?sslmode=require',
    'host/db?password=Secret2',
    'postgres://u:Sec/ret2@host/db',
    'postgres://u:Sec#ret2@host/db',
    'postgres://u:Sec ret2@host/db?password=Secret2',
    '//u:Secret2@host/db',
  ])('hides the credential of a URL without a scheme or that does not parse: %s', (url) => {
    const masked = maskUrl(url);
    expect(masked).not.toMatch(/Sec.?ret2/);
    expect(masked).toContain('***');
  });

  it('keeps what tells the operator where it points', () => {
    expect(maskUrl('u:Secret2@host/db')).toBe('u:***@host/db');
  });
});
