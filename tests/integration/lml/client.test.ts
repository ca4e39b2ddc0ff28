// The LML client on the run's limiter against the local stand-in of the service
// (tests/support/lml-server.ts): both endpoints, auth, outcomes, and the faults a real one shows.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiLimiter, DEFAULT_LIMITER, type LimiterSettings } from '@wxyc/backfill';
import { lmlClient, LmlUnauthorized } from '@wxyc/lml';
import { startLmlServer, type LmlScript } from '../../support/lml-server.js';

const KEY = 'test-key';
const fast: LimiterSettings = {
  ...DEFAULT_LIMITER,
  requestsPerMinute: 60_000,
  burst: 8,
  timeoutMs: 400,
  maxRetries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
};
let server: Awaited<ReturnType<typeof startLmlServer>> | null = null;
let limiter: ApiLimiter | null = null;
afterEach(async () => {
  limiter?.close();
  await server?.close();
  server = limiter = null;
});

async function setup(script: [string, LmlScript][], apiKey = KEY, s: Partial<LimiterSettings> = {}) {
  server = await startLmlServer(KEY, new Map(script));
  limiter = new ApiLimiter({ ...fast, ...s });
  return lmlClient({ url: server.url, apiKey, fetch: limiter.fetch });
}

describe('lookup (POST /api/v1/lookup)', () => {
  it('asks with Bearer auth and decoded names; classifies each answer', async () => {
    const c = await setup([
      [
        'Simon & Garfunkel - Bookends',
        { answer: { results: [{ artwork: { release_id: 42 } }], search_type: 'direct' } },
      ],
      ['A - Streaming', { answer: { results: [{ artwork: { release_id: 0 } }], search_type: 'direct' } }],
      ['A - Fuzzy', { answer: { results: [{ artwork: { release_id: 9 } }], search_type: 'fallback' } }],
      ['A - Nothing', { answer: { results: [], search_type: 'direct' } }],
      ['A - Slow', { answer: { results: [], timeout: true } }],
    ]);
    expect((await c.lookup('Simon &amp; Garfunkel', 'Bookends')).outcome).toEqual({ kind: 'resolved', releaseId: 42 });
    expect(server!.requests[0]).toEqual({
      path: '/api/v1/lookup',
      auth: `Bearer ${KEY}`,
      body: { artist: 'Simon & Garfunkel', album: 'Bookends', raw_message: 'Simon & Garfunkel - Bookends' },
    });
    expect((await c.lookup('A', 'Streaming')).outcome.kind).toBe('sentinel');
    expect((await c.lookup('A', 'Fuzzy')).outcome).toEqual({
      kind: 'trust_rejected',
      releaseId: 9,
      searchType: 'fallback',
    });
    expect((await c.lookup('A', 'Nothing')).outcome.kind).toBe('no_match');
    expect((await c.lookup('A', 'Slow')).outcome.kind).toBe('transient');
  });

  it('5xx and 429 (Retry-After) are retried, then transient with the cause; a reset mid-way is retried', async () => {
    const c = await setup([
      ['A - Down', { status: 503 }],
      ['A - Busy', { status: 429, retryAfter: '0', times: 1 }],
      ['A - Reset', { reset: true, times: 1 }],
    ]);
    expect((await c.lookup('A', 'Down')).outcome).toEqual({
      kind: 'transient',
      reason: 'HTTP 503 Service Unavailable after 3 attempts',
    });
    expect((await c.lookup('A', 'Busy')).outcome.kind).toBe('resolved');
    expect((await c.lookup('A', 'Reset')).outcome.kind).toBe('resolved');
    expect(server!.requests.length).toBe(3 + 2 + 2);
  });

  it('a stalled or trickling answer ends at the deadline as transient', async () => {
    const c = await setup(
      [
        ['A - Stall', { stall: true }],
        ['A - Trickle', { trickle: 50 }],
      ],
      KEY,
      { maxRetries: 0 },
    );
    expect((await c.lookup('A', 'Stall')).outcome).toMatchObject({
      kind: 'transient',
      reason: expect.stringMatching(/^timed out after 400 ms/),
    });
    expect((await c.lookup('A', 'Trickle')).outcome).toMatchObject({
      kind: 'transient',
      reason: expect.stringMatching(/^timed out after 400 ms/),
    });
  });

  it('a row with nothing to ask is parked without a request; a wrong key stops the run', async () => {
    const c = await setup([]);
    expect((await c.lookup('', 'X')).outcome).toEqual({ kind: 'parked', reason: 'no artist to ask with' });
    expect(server!.requests).toEqual([]);
    const bad = lmlClient({ url: server!.url, apiKey: 'wrong', fetch: limiter!.fetch });
    await expect(bad.lookup('A', 'B')).rejects.toThrow(LmlUnauthorized);
  });
});

describe('bulkLookup (POST /api/v1/lookup/bulk)', () => {
  it('one request for many items, verdicts in input order, per-item errors transient, unaskable items parked unsent', async () => {
    const c = await setup([
      ['B - Two', { itemError: 'upstream timeout' }],
      ['B - Three', { answer: { results: [], search_type: 'direct' } }],
    ]);
    const replies = await c.bulkLookup([
      { artist: 'B', album: 'One' },
      { artist: 'B', album: 'Two' },
      { artist: '', album: 'Nameless' },
      { artist: 'B', album: 'Three' },
      { artist: 'Caf&eacute;', album: 'Four' },
    ]);
    expect(replies.map((r) => r.outcome.kind)).toEqual(['resolved', 'transient', 'parked', 'no_match', 'resolved']);
    expect(replies[1]!.outcome).toEqual({
      kind: 'transient',
      reason: 'the service failed this item: upstream timeout',
    });
    expect(server!.requests.length).toBe(1);
    expect((server!.requests[0]!.body as { items: { raw_message: string }[] }).items.map((i) => i.raw_message)).toEqual(
      ['B - One', 'B - Two', 'B - Three', 'Café - Four'],
    );
  });

  it('a whole bulk request failing after retries makes every sent item transient', async () => {
    const c = await setup([['B - Down', { status: 502 }]]);
    const replies = await c.bulkLookup([
      { artist: 'B', album: 'Up' },
      { artist: 'B', album: 'Down' },
    ]);
    expect(replies.map((r) => r.outcome.kind)).toEqual(['transient', 'transient']);
    expect(server!.requests.length).toBe(3);
  });
});
