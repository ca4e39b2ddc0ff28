// The subject of exit-code.test.ts: passes in a normal run, fails when WXYC_HARNESS_FAIL=1.
import { expect, it } from 'vitest';

it('fails only when asked to (WXYC_HARNESS_FAIL=1)', () => {
  expect(process.env.WXYC_HARNESS_FAIL === '1', 'failing on purpose: WXYC_HARNESS_FAIL=1').toBe(false);
});
