// One build process of `pnpm build` (scripts/build.ts), not a command: it takes package folders
// over IPC, runs that package's own tsup config (as `tsup` in the folder would) and answers
// { dir, ok, ms, error }. Builds run one at a time here because tsup reads process.cwd().
import { build } from 'tsup';

if (!process.send) {
  process.stderr.write('tsup-worker.mjs is started by scripts/build.ts (pnpm build), not by hand\n');
  process.exit(2);
}

process.on('message', async (/** @type {string} */ dir) => {
  const t0 = performance.now();
  try {
    process.chdir(dir);
    // esbuild fixes its default working directory when it loads, so pass the package's own
    await build({
      silent: true,
      esbuildOptions: (o) => {
        o.absWorkingDir = dir;
      },
    });
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
