import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { jsonlReader, type JsonlOptions } from './jsonl.js';
import { offsetOf } from './literal.js';
import { sourceConfigError, type RecordSource } from './source.js';

export interface FileSpec extends JsonlOptions {
  /** A `.jsonl` file, or `.jsonl.gz` (gunzipped as it is read). */
  path: string;
}

/**
 * JSON Lines from a file (gzipped when its name ends `.gz`), streamed like the HTTP feed; the
 * checkpoint is `{ line, version }`, the version the file's size and mtime, so a resume on a
 * rewritten file refuses rather than skipping the wrong lines.
 */
export function fileJsonlSource(spec: FileSpec): RecordSource {
  const label = `file ${spec.path}`;
  return {
    name: label,
    async open(checkpoint) {
      const start = offsetOf(label, checkpoint, 'line');
      const st = await stat(spec.path).catch((err: Error) =>
        Promise.reject(sourceConfigError(label, `cannot read it: ${err.message}`)),
      );
      const version = `${st.size}@${st.mtime.toISOString()}`;
      const saved = checkpoint === null ? undefined : (checkpoint as { version?: string }).version;
      if (saved && saved !== version)
        throw sourceConfigError(
          label,
          `the file changed since the checkpoint (${saved}, now ${version}); rerun with --reset to import it from the start`,
        );
      const raw = createReadStream(spec.path);
      const stream = spec.path.endsWith('.gz') ? pipeline(raw, createGunzip(), () => undefined) : raw;
      return jsonlReader(label, stream, start, { ...spec, version });
    },
  };
}
