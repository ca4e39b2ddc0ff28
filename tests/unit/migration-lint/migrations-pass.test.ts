import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { lintDirectory, loadParser } from '@wxyc/migration-lint';

beforeAll(() => loadParser());

describe("the repository's migrations", () => {
  it('pass the linter; the only waivers are 0015, 0024, 0043 (history) and the two in-file markers (0041, 0061)', () => {
    const { findings, waived } = lintDirectory(MIGRATIONS_DIR);
    expect(findings).toEqual([]);
    const name = (f: string) => f.split('/').pop()!.slice(0, 4);
    expect(waived.map((w) => `${name(w.file)}:${w.rule}`).sort()).toEqual([
      '0015:lock-timeout-not-raised',
      '0024:dml-with-ddl',
      '0024:set-not-null-without-check',
      '0041:index-not-concurrent',
      '0043:dml-with-ddl',
      '0061:rename-in-use',
    ]);
  });
});
