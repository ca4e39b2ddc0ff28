// pnpm 11 and 12 write a patched dependency in pnpm-lock.yaml as `name@version: <hash>`; pnpm 10
// (the images' pin) writes `{ hash, path }` and refuses the short form under --frozen-lockfile
// (ERR_PNPM_LOCKFILE_CONFIG_MISMATCH). pnpm 10, 11 and 12 all accept the long form frozen, so the
// repo keeps that one: rewriting only those lines leaves the rest of the lockfile byte for byte.

/**
 * The lockfile text with every short `patchedDependencies` entry in the long form.
 * @param {string} lockText pnpm-lock.yaml
 * @param {Record<string, string>} patchPaths pnpm-workspace.yaml's patchedDependencies (name@version -> file)
 * @returns {{ text: string, rewritten: string[] }}
 */
export function longFormPatches(lockText, patchPaths) {
  const lines = lockText.split('\n');
  const start = lines.indexOf('patchedDependencies:');
  /** @type {string[]} */
  const rewritten = [];
  if (start < 0) return { text: lockText, rewritten };
  const out = lines.slice(0, start + 1);
  let i = start + 1;
  for (; i < lines.length && (lines[i] ?? '').startsWith('  '); i++) {
    const line = lines[i] ?? '';
    const short = /^ {2}(\S+): ([0-9a-f]{16,})$/.exec(line);
    if (!short) {
      out.push(line);
      continue;
    }
    const name = short[1] ?? '';
    const hash = short[2] ?? '';
    const path = patchPaths[name];
    if (!path) {
      throw new Error(
        `pnpm-lock.yaml patches ${name} but pnpm-workspace.yaml's patchedDependencies does not name it: run pnpm install`,
      );
    }
    out.push(`  ${name}:`, `    hash: ${hash}`, `    path: ${path}`);
    rewritten.push(name);
  }
  return { text: [...out, ...lines.slice(i)].join('\n'), rewritten };
}
