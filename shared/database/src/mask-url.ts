// Connection URLs end up in logs and error messages; no credential they carry ever does.
// A URL can carry one in its userinfo (`user:password@`) and in query parameters that
// postgres-js, libpq or mysql2 read as a password (`?password=`, `?sslpassword=`, ...).
// Paths such as `sslkey=/run/secrets/key` name a file, not a secret, and stay visible.

const MASK = '***';

/** Query parameter names whose value is a credential (compared lower-case). */
const SECRET_PARAM = /^(password\d?|pass|passwd|pwd|sslpassword|secret|token|access_token|auth_token)$/;

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function maskUrl(url: string): string {
  if (HAS_SCHEME.test(url)) {
    try {
      return maskParsed(new URL(url));
    } catch {
      // fall through: mask by pattern
    }
  }
  return maskByPattern(url);
}

function maskParsed(parsed: URL): string {
  if (parsed.password) parsed.password = MASK;
  const params = parsed.searchParams;
  // Rebuild the query by hand: URLSearchParams would re-encode every other parameter.
  if ([...params.keys()].some((k) => SECRET_PARAM.test(k.toLowerCase()))) {
    parsed.search = maskQuery(parsed.search);
  }
  return parsed.toString();
}

function maskQuery(search: string): string {
  return search.replace(/([?&;])([^=&;#]*)=([^&;#]*)/g, (whole, sep: string, key: string) =>
    SECRET_PARAM.test(safeDecode(key).toLowerCase()) ? `${sep}${key}=${MASK}` : whole,
  );
}

/**
 * Not a URL we can parse (no scheme, `u:Secret@host/db`, or a password with `/` or `#` in
 * it): hide everything between the user name and the last `@` of the authority-ish part,
 * and every secret-looking query value. Hiding too much is fine; hiding too little is not.
 */
function maskByPattern(url: string): string {
  const schemeEnd = url.match(HAS_SCHEME)?.[0].length ?? 0;
  const rest = url.slice(schemeEnd);
  const at = rest.lastIndexOf('@');
  const colon = at >= 0 ? rest.slice(0, at).indexOf(':') : -1;
  // A user name alone is no secret; anything after its colon may be.
  const masked = colon >= 0 ? `${rest.slice(0, colon + 1)}${MASK}${rest.slice(at)}` : rest;
  return url.slice(0, schemeEnd) + maskQuery(masked);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
