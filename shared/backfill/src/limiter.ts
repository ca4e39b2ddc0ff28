import { AbortScope } from './abort-scope.js';
import { CircuitBreaker } from './circuit.js';
import { Semaphore } from './concurrency.js';
import { CallFailed, httpCall, lookupAgents, type HttpAnswer, type HttpRequest } from './http-call.js';
import { isRetryableStatus, MAX_RETRY_AFTER_MS, nextDelayMs, retryAfterMs } from './retry.js';
import { TokenBucket } from './token-bucket.js';
import { TokenGate } from './token-gate.js';

export interface LimiterSettings {
  /** Requests per minute over the whole run (token bucket); every request counts: retries and redirect hops too. */
  requestsPerMinute: number;
  /** Requests that may go back to back before the rate applies. */
  burst: number;
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Per request, connect to the last body byte: a hung or trickling request is abandoned (and retried) after this. */
  timeoutMs: number;
  /** Retries of one call on 429, 5xx, a timeout or a network error (the body's included). */
  maxRetries: number;
  backoffBaseMs: number;
  /** Cap on any one wait, Retry-After included. */
  backoffMaxMs: number;
  /** Consecutive failed calls (retries used up) that open the circuit and pause the run. */
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** Largest response body read; a bigger answer fails the call (not retried) with a message naming the cap. */
  maxBodyBytes: number;
  /** Redirect hops followed per request (each takes a token); past it the call fails. */
  maxRedirects: number;
}

export const DEFAULT_LIMITER: LimiterSettings = {
  requestsPerMinute: 600,
  burst: 4,
  maxConcurrency: 4,
  timeoutMs: 10_000,
  maxRetries: 4,
  backoffBaseMs: 250,
  backoffMaxMs: 30_000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxRedirects: 5,
};

/** One lookup that failed after its retries (or at once, when asking again cannot help). */
export class LookupFailed extends Error {
  /** Clamped to [0, MAX_RETRY_AFTER_MS]: always a valid time to add to a Date. */
  readonly retryAfterMs: number;
  constructor(
    message: string,
    retryAfterMs: number,
    readonly status?: number,
  ) {
    super(message);
    this.retryAfterMs = Math.min(
      MAX_RETRY_AFTER_MS,
      Math.max(0, Number.isFinite(retryAfterMs) ? retryAfterMs : MAX_RETRY_AFTER_MS),
    );
  }
}

/** The circuit is open: the API is down, the run pauses (the row is not failed). */
export class CircuitOpen extends Error {}

/** A fetch-like function whose every request (retries, redirect hops) takes one token of the run's limiter. */
export type LimitedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The shared limiter of a run: every lookup's HTTP goes through `fetch` here. Each request takes
 * a token (rate), a slot (concurrency) and the circuit's leave; the whole answer, body included,
 * is read under the per-request deadline and cap, so a slow, broken or huge body is retried or
 * failed here (and seen by the breaker), never by the caller's `res.json()`.
 */
export class ApiLimiter {
  readonly breaker: CircuitBreaker;
  private readonly scope: AbortScope;
  private readonly gate: TokenGate;
  private readonly slots: Semaphore;
  private readonly agents;
  /** HTTP requests sent, retries and redirect hops included. */
  requests = 0;

  constructor(
    readonly s: LimiterSettings,
    signal?: AbortSignal,
  ) {
    this.scope = new AbortScope(signal);
    this.gate = new TokenGate(new TokenBucket(s.requestsPerMinute, s.burst), this.scope);
    this.slots = new Semaphore(s.maxConcurrency);
    this.scope.watch((reason) => this.slots.rejectWaiting(reason));
    this.breaker = new CircuitBreaker(s.breakerThreshold, s.breakerCooldownMs);
    this.agents = lookupAgents(s.maxConcurrency);
  }

  /** Callers waiting for a token or a slot. */
  get waiting(): number {
    return this.gate.queued + this.slots.queued;
  }

  /** Closes the kept-alive sockets and drops the abort listener (idle sockets never hold the process anyway). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.scope.close();
  }

  /** One request once a token and a slot are free; the circuit is asked then (not when queued). */
  private async send(url: URL, req: HttpRequest, checkCircuit: 'allow' | 'open'): Promise<HttpAnswer> {
    const urgent = checkCircuit === 'open'; // a retry or a redirect hop: work already begun goes first
    await this.gate.take(urgent);
    await this.slots.acquire(urgent);
    try {
      // a retry stops too once another call opened the circuit: the row waits for the run to resume
      if (checkCircuit === 'allow' ? !this.breaker.allow() : this.breaker.state === 'open') {
        throw new CircuitOpen(`circuit open after ${this.s.breakerThreshold} consecutive failed lookups`);
      }
      this.requests++;
      return await httpCall(url, req, {
        timeoutMs: this.s.timeoutMs,
        maxBodyBytes: this.s.maxBodyBytes,
        agents: this.agents,
        signal: this.scope.signal,
      });
    } finally {
      this.slots.release();
    }
  }

  /** One attempt: the request and its redirect hops (each a request: a token each), to a final answer. */
  private async attempt(url: URL, req: HttpRequest, first: boolean): Promise<HttpAnswer & { url: URL }> {
    let answer = await this.send(url, req, first ? 'allow' : 'open');
    for (let hop = 1; REDIRECTS.has(answer.status); hop++) {
      const location = answer.headers.get('location');
      if (!location) break;
      if (hop > this.s.maxRedirects)
        throw new CallFailed(`more than ${this.s.maxRedirects} redirects (maxRedirects)`, false);
      const next = new URL(location, url);
      req = redirected(req, answer.status, next.origin === url.origin);
      url = next;
      answer = await this.send(url, req, 'open');
    }
    return { ...answer, url };
  }

  /** fetch with the limits: a final 2xx-4xx answer (not 429) is returned whole; the rest is retried, then thrown as LookupFailed. */
  readonly fetch: LimitedFetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const req: HttpRequest = {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    };
    const causes: string[] = [];
    for (let attempt = 1; ; attempt++) {
      let r: (HttpAnswer & { url: URL }) | CallFailed;
      try {
        r = await this.attempt(url, req, attempt === 1);
      } catch (err) {
        this.scope.check();
        if (!(err instanceof CallFailed)) throw err;
        if (!err.retryable) throw new LookupFailed(`${err.message} (${req.method} ${url.host})`, this.s.backoffMaxMs);
        r = err;
      }
      this.scope.check();
      if (!(r instanceof CallFailed) && !isRetryableStatus(r.status)) {
        this.breaker.success();
        return responseOf(r, r.url);
      }
      const after = r instanceof CallFailed ? null : retryAfterMs(r.headers.get('retry-after'), Date.now());
      causes.push(r instanceof CallFailed ? r.message : statusCause(r));
      if (attempt > this.s.maxRetries) {
        this.breaker.failure();
        throw new LookupFailed(
          `${summarise(causes, attempt)}`,
          after ?? this.s.backoffMaxMs,
          r instanceof CallFailed ? undefined : r.status,
        );
      }
      await this.scope.sleep(nextDelayMs(attempt, after, this.s.backoffBaseMs, this.s.backoffMaxMs, Math.random()));
    }
  };
}

/** The next hop's request (RFC 9110 15.4): 303, and 301/302 of a POST, become a GET without body; credentials stay on the origin. */
function redirected(req: HttpRequest, status: number, sameOrigin: boolean): HttpRequest {
  const toGet = status === 303 ? req.method !== 'HEAD' : (status === 301 || status === 302) && req.method === 'POST';
  const headers = { ...req.headers };
  if (!sameOrigin) delete headers.authorization;
  if (!toGet) return { ...req, headers };
  delete headers['content-type'];
  return { method: 'GET', headers };
}

/** `HTTP 503 Service Unavailable`: no URL and no body, so failures of different keys group under one message. */
function statusCause(a: HttpAnswer): string {
  return `HTTP ${a.status}${a.statusText ? ` ${a.statusText}` : ''}`;
}

/** The last cause, then the other causes seen: `ECONNRESET: socket hang up after 3 attempts (also: HTTP 503 Service Unavailable x2)`. */
function summarise(causes: readonly string[], attempts: number): string {
  const last = causes.at(-1)!;
  const others = new Map<string, number>();
  for (const c of causes.slice(0, -1)) if (c !== last) others.set(c, (others.get(c) ?? 0) + 1);
  const rest = [...others].map(([c, n]) => (n > 1 ? `${c} x${n}` : c));
  return `${last} after ${attempts} attempts${rest.length ? ` (also: ${rest.join(', ')})` : ''}`;
}

function responseOf(a: HttpAnswer, url: URL): Response {
  const nullBody = a.status === 204 || a.status === 205 || a.status === 304;
  const body = nullBody ? null : a.body;
  let res: Response;
  try {
    res = new Response(body, { status: a.status, statusText: a.statusText, headers: a.headers });
  } catch {
    res = new Response(body, { status: a.status, headers: a.headers }); // a status text a Response refuses
  }
  Object.defineProperty(res, 'url', { value: url.toString() });
  return res;
}
