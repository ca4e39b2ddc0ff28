import { basename, isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Frame {
  filename?: string;
  abs_path?: string;
}
interface EventLike {
  server_name?: string;
  exception?: { values?: { stacktrace?: { frames?: Frame[] } }[] };
  threads?: { values?: { stacktrace?: { frames?: Frame[] } }[] };
}

/**
 * What leaves the host is what the README lists: no host name (`server_name`) and no absolute
 * paths (they name the machine's layout, a user's home on a laptop). Frame paths become relative
 * to `root` (the job's working directory, `/app` in an image); a path outside it keeps its file name.
 */
export function scrubEvent<E extends EventLike>(event: E, root: string): E {
  delete event.server_name;
  for (const group of [event.exception?.values, event.threads?.values]) {
    for (const v of group ?? [])
      for (const f of v.stacktrace?.frames ?? []) {
        if (f.filename !== undefined) f.filename = relativePath(f.filename, root);
        if (f.abs_path !== undefined) f.abs_path = relativePath(f.abs_path, root);
      }
  }
  return event;
}

export function relativePath(path: string, root: string): string {
  const p = path.startsWith('file://') ? safeFileUrl(path) : path;
  if (!isAbsolute(p)) return p;
  const rel = relative(root, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : basename(p);
}

function safeFileUrl(u: string): string {
  try {
    return fileURLToPath(u);
  } catch {
    return u;
  }
}
