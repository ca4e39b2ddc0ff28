// drizzle-kit keeps working on the same journal: `check` passes, and `generate` finds the
// schema and the newest snapshot in agreement (a schema change without its migration fails here).
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkg = fileURLToPath(new URL('../../shared/database/', import.meta.url));
const bin = `${pkg}node_modules/.bin/drizzle-kit`;
const scratch = `.tmp/drizzle-kit-${randomBytes(4).toString('hex')}`;

afterAll(() => rmSync(`${pkg}${scratch}`, { recursive: true, force: true }));

describe('drizzle-kit on our migrations', () => {
  it('check passes', async () => {
    const { stdout } = await run(bin, ['check', '--config', 'drizzle.config.ts'], { cwd: pkg });
    expect(stdout).toContain("Everything's fine");
  }, 60_000);

  it('generate finds no schema change against the latest snapshot', async () => {
    mkdirSync(`${pkg}${scratch}`, { recursive: true });
    cpSync(`${pkg}src/migrations`, `${pkg}${scratch}/migrations`, { recursive: true });
    const config = `${scratch}/drizzle.config.ts`;
    writeFileSync(
      `${pkg}${config}`,
      `export default { dialect: 'postgresql', schema: './src/schema.ts', out: './${scratch}/migrations', schemaFilter: ['public', 'wxyc_schema'] };\n`,
    );
    const before = readdirSync(`${pkg}${scratch}/migrations`).length;
    const { stdout } = await run(bin, ['generate', '--config', config], { cwd: pkg });
    expect(stdout).toContain('No schema changes');
    expect(readdirSync(`${pkg}${scratch}/migrations`).length).toBe(before);
  }, 60_000);
});
