// drizzle-kit 1.0 names a migration folder `<yyyymmddhhmmss>_<name>` (UTC time of `generate`);
// drizzle-orm 1.0's migrator takes the first 14 characters as the migration's time
// (created_at = Date.UTC of them, so whole seconds) and the whole folder name as its `name`.
// Pure naming rules only: reading folders is migration-folders.ts.

export const FOLDER_NAME = /^(\d{14})_(.+)$/;

const two = (n: number) => String(n).padStart(2, '0');

/** The 14-digit UTC timestamp drizzle-kit writes for an epoch-ms time (milliseconds dropped). */
export function folderTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

/**
 * The folder `drizzle-kit up` makes of a journal entry: the timestamp of its `when`, then the
 * tag without its `NNNN_` number (0053_flowsheet-dj-name-column -> 20250807224046_flowsheet-dj-name-column).
 */
export function folderNameFor(when: number, tag: string): string {
  return `${folderTimestamp(when)}_${migrationTitle(tag)}`;
}

/** Epoch ms of a folder's timestamp, or undefined when the name is not `<valid UTC time>_<name>`. */
export function folderTime(folder: string): number | undefined {
  const m = FOLDER_NAME.exec(folder);
  if (!m) return undefined;
  const s = m[1]!;
  const part = (from: number, to: number) => Number(s.slice(from, to));
  const ms = Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14));
  // Date.UTC rolls 20251399... over into another date; a real timestamp prints back the same.
  return folderTimestamp(ms) === s ? ms : undefined;
}

/** A migration's name without its order prefix (`NNNN_` of a tag, the timestamp of a folder): the same in both layouts. */
export function migrationTitle(tagOrFolder: string): string {
  return tagOrFolder.replace(/^(?:\d{14}|\d{4})_/, '');
}

/** created_at truncated to whole seconds: how drizzle 1.0 compares an old row with a folder's time. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
