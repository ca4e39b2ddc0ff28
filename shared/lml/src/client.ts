import { CircuitOpen, LookupFailed, type LimitedFetch } from '@wxyc/backfill';
import { decodeName } from './decode.js';
import { outcomeOf, type LmlOutcome } from './outcome.js';

export interface LmlClientOptions {
  /** The service's base URL (LML_URL), e.g. `https://lml.wxyc.org`. */
  url: string;
  /** Sent as `Authorization: Bearer <key>`; never logged. */
  apiKey: string;
  /** The run's limited fetch (ApiLimiter.fetch): rate, concurrency, deadline, retries. */
  fetch: LimitedFetch;
}

export interface LmlItem {
  artist: string;
  album: string;
}

/** A lookup's outcome with the request actually asked (decoded names), null when the row could not be asked. */
export interface LmlReply {
  outcome: LmlOutcome;
  asked: { artist: string; album: string; raw_message: string } | null;
}

/** The service refused our credentials: no row can be looked up; the run stops (not a row's fault). */
export class LmlUnauthorized extends Error {}

/** The request body for one item, or why it cannot be asked. */
export function requestOf(item: LmlItem): { artist: string; album: string; raw_message: string } | string {
  const artist = decodeName(item.artist ?? '');
  const album = decodeName(item.album ?? '');
  if (!artist || !album) return `no ${!artist ? 'artist' : 'album'} to ask with`;
  return { artist, album, raw_message: `${artist} - ${album}` };
}

/** A failed call as an outcome: the limiter's failures and an open circuit are transient; a 4xx is the input's fault. */
function failureOutcome(err: unknown): LmlOutcome {
  if (err instanceof LmlUnauthorized) throw err;
  if (err instanceof CircuitOpen || err instanceof LookupFailed) return { kind: 'transient', reason: err.message };
  throw err; // anything else (the run's stop signal) is not a row's outcome
}

async function post(o: LmlClientOptions, path: string, body: unknown): Promise<unknown> {
  const res = await o.fetch(new URL(path, o.url.endsWith('/') ? o.url : `${o.url}/`), {
    method: 'POST',
    headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 401 || res.status === 403)
    throw new LmlUnauthorized(`the lookup service refused the API key (HTTP ${res.status}): check LML_API_KEY`);
  if (!res.ok) throw new LookupFailed(`HTTP ${res.status} ${res.statusText}`.trim(), 0, res.status);
  try {
    return JSON.parse(await res.text()) as unknown;
  } catch {
    return null; // not JSON: outcomeOf calls it transient
  }
}

/** A client of the lookup service on a limited fetch. */
export function lmlClient(o: LmlClientOptions) {
  return {
    /** One album: `POST /api/v1/lookup`. */
    async lookup(artist: string, album: string): Promise<LmlReply> {
      const asked = requestOf({ artist, album });
      if (typeof asked === 'string') return { outcome: { kind: 'parked', reason: asked }, asked: null };
      try {
        return { outcome: outcomeOf(await post(o, 'api/v1/lookup', asked)), asked };
      } catch (err) {
        if (
          err instanceof LookupFailed &&
          err.status !== undefined &&
          err.status >= 400 &&
          err.status < 500 &&
          err.status !== 429
        ) {
          return { outcome: { kind: 'parked', reason: `the service refused the input: ${err.message}` }, asked };
        }
        return { outcome: failureOutcome(err), asked };
      }
    },

    /**
     * Many albums in one request: `POST /api/v1/lookup/bulk` with `{items}`, one verdict per item in
     * input order; an item the service failed (`status: "error"`) is transient, the others classified
     * as single answers. Items that cannot be asked are parked without being sent.
     */
    async bulkLookup(items: readonly LmlItem[]): Promise<LmlReply[]> {
      const asked = items.map(requestOf);
      const send = asked.filter((a): a is Exclude<typeof a, string> => typeof a !== 'string');
      let answers: unknown[] = [];
      let whole: LmlOutcome | null = null;
      if (send.length > 0) {
        try {
          const body = (await post(o, 'api/v1/lookup/bulk', { items: send })) as { results?: unknown } | null;
          answers = Array.isArray(body?.results) ? body.results : [];
          if (answers.length !== send.length)
            whole = { kind: 'transient', reason: `bulk answer has ${answers.length} results for ${send.length} items` };
        } catch (err) {
          whole = failureOutcome(err);
        }
      }
      let i = 0;
      return asked.map((a) => {
        if (typeof a === 'string') return { outcome: { kind: 'parked', reason: a }, asked: null };
        const answer = answers[i++] as { status?: string; error?: string } | undefined;
        if (whole) return { outcome: whole, asked: a };
        if (answer?.status === 'error')
          return {
            outcome: {
              kind: 'transient',
              reason: `the service failed this item: ${answer.error ?? 'no reason given'}`,
            },
            asked: a,
          };
        return { outcome: outcomeOf(answer), asked: a };
      });
    },
  };
}

export type LmlClient = ReturnType<typeof lmlClient>;
