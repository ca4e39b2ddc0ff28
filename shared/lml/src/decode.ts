import { decodeHTML } from 'entities';

/**
 * A library name as the legacy system stored it (`Simon &amp; Garfunkel`, `Beyonce&#x301;`,
 * `Sigur R&#243;s`) as the lookup service should read it: HTML entities decoded once (named and
 * numeric, by the `entities` package's full HTML table), then NFC so a decoded combining accent
 * joins its letter, and trimmed.
 */
export function decodeName(raw: string): string {
  return decodeHTML(raw).normalize('NFC').trim();
}
