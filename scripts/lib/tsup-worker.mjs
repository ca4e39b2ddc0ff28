// One build process of `pnpm build` (scripts/build.ts), not a command: it takes package folders
// over IPC, runs that package's own tsup config (as `tsup` in the folder would; the process runs
// under tsx, which loads the config) and answers
// { dir, ok, ms, error }. Builds run one at a time here because tsup reads process.cwd().
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';

if (!process.send) {
  process.stderr.write('tsup-worker.mjs is started by scripts/build.ts (pnpm build), not by hand\n');
  process.exit(2);
}

/**
 * The package's own tsup.config.ts (run under tsx, so it may be TypeScript), with esbuild's working
 * folder set to the package: esbuild fixes its default when it is loaded, once per process.
 * @param {string} dir
 */
async function packageOptions(dir) {
  const file = join(dir, 'tsup.config.ts');
  const options = /** @type {{ default?: unknown }} */ (await import(pathToFileURL(file).href)).default;
  if (!options || typeof options !== 'object' || Array.isArray(options))
    throw new Error(`${file}: pnpm build takes a config that is one options object (defineConfig({...}))`);
  const own = /** @type {import('tsup').Options} */ (options);
  return {
    ...own,
    config: false,
    silent: true,
    /** @type {NonNullable<import('tsup').Options['esbuildOptions']>} */
    esbuildOptions: (o, ctx) => {
      own.esbuildOptions?.(o, ctx);
      o.absWorkingDir = dir;
    },
  };
}

process.on('message', async (/** @type {string} */ dir) => {
  const t0 = performance.now();
  try {
    process.chdir(dir);
    await build(await packageOptions(dir));
    process.send?.({ dir, ok: true, ms: performance.now() - t0 });
  } catch (err) {
    process.send?.({
      dir,
      ok: false,
      ms: performance.now() - t0,
      error: String(/** @type {Error} */ (err)?.message ?? err).split('\n')[0],
    });
  }
});
process.on('disconnect', () => process.exit(0));
