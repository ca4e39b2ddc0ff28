import { describe, expect, it } from 'vitest';
import { ConfigError, boolEnv, intEnv, requireEnv, exitCodeFor, EXIT, JobError } from '@wxyc/job-runtime';
import { databaseUrlFromEnv } from '@wxyc/database';

describe('env parsing', () => {
  it('names a missing variable and what it should be', () => {
    expect(() => databaseUrlFromEnv({})).toThrow(
      new ConfigError('DATABASE_URL is not set: it must be a postgres:// URL of the WXYC database.'),
    );
    expect(() => requireEnv({ X: '  ' }, 'X', 'a name')).toThrow(/X is not set/);
  });

  it('refuses a non-postgres URL without printing its password', () => {
    let message = '';
    try {
      databaseUrlFromEnv({ DATABASE_URL: 'mysql://root:hunter2@legacy/db' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is not a postgres:\/\//);
    expect(message).not.toContain('hunter2');
  });

  it('parses whole numbers within bounds and rejects the rest', () => {
    expect(intEnv({}, 'N', { default: 5 })).toBe(5);
    expect(intEnv({ N: '42' }, 'N', { default: 5, min: 1 })).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'abc', '1e3', '100001']) {
      expect(() => intEnv({ N: bad }, 'N', { default: 5, min: 1, max: 100000 })).toThrow(ConfigError);
    }
    expect(() => intEnv({ N: 'x' }, 'N', { default: 5, min: 1 })).toThrow(
      'N="x" is invalid: expected a whole number >= 1.',
    );
  });

  it('parses booleans strictly', () => {
    expect(boolEnv({ B: '1' }, 'B')).toBe(true);
    expect(boolEnv({ B: 'false' }, 'B', true)).toBe(false);
    expect(boolEnv({}, 'B', true)).toBe(true);
    expect(() => boolEnv({ B: 'maybe' }, 'B')).toThrow(ConfigError);
  });

  it('maps errors to exit codes', () => {
    expect(exitCodeFor(new ConfigError('x'))).toBe(EXIT.CONFIG);
    expect(exitCodeFor(new JobError('x', 12))).toBe(12);
    expect(exitCodeFor(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(EXIT.UNREACHABLE);
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.FAILED);
  });
});
