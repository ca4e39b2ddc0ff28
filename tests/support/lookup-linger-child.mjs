// Run by tests/integration/backfill/lookup-http.test.ts: three lookups through the built limiter
// against the server at argv[2] (which keeps sockets alive for a minute), then a final line.
// The process must exit right after it: nothing the limiter left (sockets, timers) holds it open.
// By package name: node resolves it to the built dist/index.js, the typecheck to src (tsconfig paths;
// no .d.ts is built).
import { ApiLimiter, DEFAULT_LIMITER } from '@wxyc/backfill';

const limiter = new ApiLimiter({ ...DEFAULT_LIMITER, timeoutMs: 5000 }, new AbortController().signal);
for (let i = 0; i < 3; i++) await (await limiter.fetch(`${process.argv[2]}/k${i}`)).text();
console.log(`done: ${limiter.requests} requests`);
