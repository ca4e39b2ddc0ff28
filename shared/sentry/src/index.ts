export { sentryMonitor, FLUSH_MS, type SentryMonitorOptions } from './monitor.js';
export { redactUrls, isDsn } from './redact.js';
export { scrubEvent, relativePath } from './scrub.js';
