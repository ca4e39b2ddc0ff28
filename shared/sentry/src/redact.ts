/** URLs in a line sent to Sentry keep only their scheme and host: no user, password, path or query. */
export function redactUrls(line: string): string {
  return line.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => {
    try {
      const p = new URL(u);
      return `${p.protocol}//${p.hostname}/…`;
    } catch {
      return '<url>';
    }
  });
}

/** A DSN is https://<public key>@<host>/<project id>; anything else is refused before @sentry/node sees it. */
export function isDsn(dsn: string): boolean {
  try {
    const u = new URL(dsn);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') && u.username !== '' && /^\/(.+\/)?\d+$/.test(u.pathname)
    );
  } catch {
    return false;
  }
}
