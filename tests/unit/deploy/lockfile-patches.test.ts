// pnpm-lock.yaml's patched dependencies must be in the long form: pnpm 10 (the images' pin)
// refuses pnpm 11/12's short form under --frozen-lockfile, which failed every image build.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { longFormPatches } from '../../../scripts/lib/lockfile-patches.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const HASH = '8d862984dfd8af5df82e6b5ca5c862fd15483ca918eb798a6bcf2be1bf56a449';
const head = (entries: string) =>
  `lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\npatchedDependencies:\n${entries}\nimporters:\n\n  .: {}\n`;

describe('longFormPatches', () => {
  it('rewrites a short entry into hash and path, leaving every other line as it was', () => {
    const { text, rewritten } = longFormPatches(head(`  postgres@3.4.9: ${HASH}\n`), {
      'postgres@3.4.9': 'patches/postgres@3.4.9.patch',
    });
    expect(rewritten).toEqual(['postgres@3.4.9']);
    expect(text).toBe(head(`  postgres@3.4.9:\n    hash: ${HASH}\n    path: patches/postgres@3.4.9.patch\n`));
    expect(parse(text).patchedDependencies).toEqual({
      'postgres@3.4.9': { hash: HASH, path: 'patches/postgres@3.4.9.patch' },
    });
  });

  it('leaves a long entry alone and rewrites only the short one beside it', () => {
    const long = `  a@1.0.0:\n    hash: ${HASH}\n    path: patches/a@1.0.0.patch\n`;
    const { text, rewritten } = longFormPatches(head(`${long}  '@s/b@2.0.0': ${HASH}\n`), {
      'a@1.0.0': 'patches/a@1.0.0.patch',
      "'@s/b@2.0.0'": 'patches/@s__b@2.0.0.patch',
    });
    expect(rewritten).toEqual(["'@s/b@2.0.0'"]);
    expect(text).toContain(`${long}  '@s/b@2.0.0':\n    hash: ${HASH}\n    path: patches/@s__b@2.0.0.patch\n`);
  });

  it('is a no-op without patches, and again on its own output', () => {
    const plain = "lockfileVersion: '9.0'\n\nimporters:\n";
    expect(longFormPatches(plain, {})).toEqual({ text: plain, rewritten: [] });
    const once = longFormPatches(head(`  p@1.0.0: ${HASH}\n`), { 'p@1.0.0': 'patches/p.patch' }).text;
    expect(longFormPatches(once, { 'p@1.0.0': 'patches/p.patch' })).toEqual({ text: once, rewritten: [] });
  });

  it('refuses a patch the workspace does not name, saying what to run', () => {
    expect(() => longFormPatches(head(`  gone@1.0.0: ${HASH}\n`), {})).toThrow(
      /patches gone@1\.0\.0 but pnpm-workspace\.yaml's patchedDependencies does not name it: run pnpm install/,
    );
  });
});

it("the repo's lockfile is in the long form, with the workspace's paths", () => {
  const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
  const workspace = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8'));
  const paths: Record<string, string> = workspace.patchedDependencies ?? {};
  expect(longFormPatches(lock, paths).rewritten).toEqual([]);
  const locked = parse(lock).patchedDependencies ?? {};
  for (const [name, path] of Object.entries(paths)) expect(locked[name]?.path).toBe(path);
});
