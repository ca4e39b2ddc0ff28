import { describe, expect, it } from 'vitest';
import { decodeName, outcomeOf, requestOf, STAMPED } from '@wxyc/lml';

describe('outcomeOf (the resolver classifier)', () => {
  const hit = (release_id: unknown, search_type?: string) => ({
    results: [{ artwork: { release_id } }],
    ...(search_type ? { search_type } : {}),
  });
  it('direct with an id > 0 resolves; id 0 is the sentinel', () => {
    expect(outcomeOf(hit(249504, 'direct'))).toEqual({ kind: 'resolved', releaseId: 249504 });
    expect(outcomeOf(hit(0, 'direct'))).toEqual({ kind: 'sentinel' });
  });
  it('an id on any other or absent search_type is trust-rejected, never resolved', () => {
    expect(outcomeOf(hit(5, 'fallback'))).toEqual({ kind: 'trust_rejected', releaseId: 5, searchType: 'fallback' });
    expect(outcomeOf(hit(5, 'alternative'))).toEqual({
      kind: 'trust_rejected',
      releaseId: 5,
      searchType: 'alternative',
    });
    expect(outcomeOf(hit(5))).toEqual({ kind: 'trust_rejected', releaseId: 5, searchType: null });
  });
  it('no result is a no-match; a timeout body or an unreadable answer is transient', () => {
    expect(outcomeOf({ results: [], search_type: 'direct' })).toEqual({ kind: 'no_match' });
    expect(outcomeOf({ results: [{ artwork: null }] })).toEqual({ kind: 'no_match' });
    expect(outcomeOf({ results: [], timeout: true }).kind).toBe('transient');
    expect(outcomeOf(hit(7, 'direct') && { ...hit(7, 'direct'), timeout: true }).kind).toBe('transient');
    expect(outcomeOf(null).kind).toBe('transient');
    expect(outcomeOf([1]).kind).toBe('transient');
    expect(outcomeOf({ results: 'x' }).kind).toBe('transient');
    expect(outcomeOf(hit(-3, 'direct')).kind).toBe('transient');
    expect(outcomeOf(hit('12', 'direct')).kind).toBe('transient');
    expect(outcomeOf(hit(2 ** 60, 'direct')).kind).toBe('transient');
  });
  it('stamps exactly the definitive outcomes', () => {
    expect([...STAMPED].sort()).toEqual(['no_match', 'resolved', 'sentinel', 'trust_rejected']);
  });
});

describe('decodeName (HTML entities before asking)', () => {
  it('decodes named, decimal and hex references once, then NFC', () => {
    expect(decodeName('Simon &amp; Garfunkel')).toBe('Simon & Garfunkel');
    expect(decodeName('Sigur R&#243;s')).toBe('Sigur Rós');
    expect(decodeName('Beyonce&#x301;')).toBe('Beyoncé');
    expect(decodeName('Beyonce&#x301;')).toHaveLength(7); // one code point: the accent joined its letter
    expect(decodeName('Caf&eacute; Tacvba')).toBe('Café Tacvba');
    expect(decodeName('AT&amp;amp;T')).toBe('AT&amp;T'); // once, not until nothing is left
    expect(decodeName('  R&amp;B  ')).toBe('R&B');
    expect(decodeName('Rock & Roll')).toBe('Rock & Roll');
  });
  it('a row without an artist or album (once decoded) cannot be asked', () => {
    expect(requestOf({ artist: '&#32;', album: 'X' })).toBe('no artist to ask with');
    expect(requestOf({ artist: 'A', album: '' })).toBe('no album to ask with');
    expect(requestOf({ artist: 'Simon &amp; Garfunkel', album: 'Bookends' })).toEqual({
      artist: 'Simon & Garfunkel',
      album: 'Bookends',
      raw_message: 'Simon & Garfunkel - Bookends',
    });
  });
});
