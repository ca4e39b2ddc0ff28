import { describe, expect, it } from 'vitest';
import { OUTCOME_KINDS, outcomeOf } from '@wxyc/lml';
import {
  emptyCounts,
  summaryLine,
  tally,
  taskOutcome,
} from '../../../jobs/rotation-release-id-resolver/src/outcomes.js';

describe('rotation-release-id-resolver: verdicts to engine outcomes', () => {
  it('only a direct match writes, with its source; definitive answers stamp; transient stays pending; bad input parks', () => {
    expect(taskOutcome(outcomeOf({ results: [{ artwork: { release_id: 42 } }], search_type: 'direct' }))).toEqual({
      kind: 'write',
      label: 'resolved',
      set: { discogs_release_id: 42, discogs_release_id_source: 'lml_direct' },
      side: [],
    });
    expect(taskOutcome(outcomeOf({ results: [{ artwork: { release_id: 0 } }], search_type: 'direct' }))).toMatchObject({
      kind: 'stamp',
      label: 'sentinel',
      set: {},
    });
    expect(
      taskOutcome(outcomeOf({ results: [{ artwork: { release_id: 9 } }], search_type: 'fallback' })),
    ).toMatchObject({ kind: 'stamp', label: 'trust_rejected', set: {} });
    expect(taskOutcome(outcomeOf({ results: [] }))).toMatchObject({ kind: 'stamp', label: 'no_match' });
    expect(taskOutcome(outcomeOf({ timeout: true }))).toMatchObject({
      kind: 'pending',
      label: 'transient',
      hold: false,
    });
    expect(taskOutcome({ kind: 'parked', reason: 'no artist to ask with' })).toMatchObject({
      kind: 'park',
      label: 'parked',
      reason: 'no artist to ask with',
    });
  });
  it('an open circuit holds the row before the cursor (asked again after the cooldown), still unstamped', () => {
    expect(taskOutcome({ kind: 'transient', reason: 'circuit open' }, true)).toMatchObject({
      kind: 'pending',
      hold: true,
    });
  });
  it('the summary names every outcome kind, in order, with scanned first', () => {
    const c = emptyCounts();
    for (const k of OUTCOME_KINDS) tally(c, k);
    tally(c, 'resolved');
    expect(summaryLine(c, false)).toBe(
      'summary: scanned 7, resolved 2, sentinel 1, trust_rejected 1, no_match 1, transient 1, parked 1',
    );
    expect(summaryLine(emptyCounts(), true)).toMatch(/^summary \(dry run: nothing written\): scanned 0,/);
  });
});
