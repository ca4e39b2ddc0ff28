// A Dockerfile read into stages and instructions: the subset our images use, enough for
// image-build.mjs to replay them and for the tests to check what they name.

/**
 * @typedef {object} Instruction
 * @property {string} keyword  upper-case: FROM, RUN, COPY, ...
 * @property {Record<string, string>} flags  leading --name=value options
 * @property {string} args     the rest, as written (continuations joined)
 * @property {number} line     1-based line of the keyword
 *
 * @typedef {object} Stage
 * @property {string} from      base image or stage
 * @property {string | null} name  the `AS` name
 * @property {number} line
 * @property {Instruction[]} steps  everything after FROM
 */

/** @param {string} text @returns {Stage[]} */
export function parseDockerfile(text) {
  /** @type {Stage[]} */
  const stages = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    if (/^\s*(#|$)/.test(lines[i] ?? '')) continue;
    // A trailing backslash continues the instruction; comment lines inside it are dropped.
    let logical = '';
    for (;;) {
      const raw = lines[i] ?? '';
      if (logical !== '' && /^\s*#/.test(raw)) {
        i++;
        continue;
      }
      const continued = /\\\s*$/.test(raw) && i + 1 < lines.length;
      logical += continued ? raw.replace(/\\\s*$/, ' ') : raw;
      if (!continued) break;
      i++;
    }
    const match = /^\s*(\w+)\s*(.*?)\s*$/.exec(logical);
    if (!match) throw new Error(`line ${start + 1}: cannot read ${JSON.stringify(logical)}`);
    const keyword = (match[1] ?? '').toUpperCase();
    let args = match[2] ?? '';
    /** @type {Record<string, string>} */
    const flags = {};
    for (;;) {
      const flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(args);
      if (!flag) break;
      flags[flag[1] ?? ''] = flag[2] ?? '';
      args = args.slice(flag[0].length);
    }
    const step = { keyword, flags, args, line: start + 1 };
    if (keyword === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' && name ? name : null, line: start + 1, steps: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${start + 1}: ${keyword} before any FROM`);
      stage.steps.push(step);
    }
  }
  return stages;
}

/** The words of an exec form (`["node", "x.js"]`), or null for the shell form. @param {string} args */
export function execForm(args) {
  if (!args.startsWith('[')) return null;
  const words = JSON.parse(args);
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string'))
    throw new Error(`not a JSON array of strings: ${args}`);
  return /** @type {string[]} */ (words);
}

/** Splits on blanks, honouring double quotes (for ENV and COPY). @param {string} args */
export function words(args) {
  return [...args.matchAll(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g)].map((m) =>
    m[0].replace(/"((?:[^"\\]|\\.)*)"/g, (_, s) => s.replace(/\\(.)/g, '$1')),
  );
}

/** `ENV A=1 B="x y"` or the old `ENV A 1`. @param {string} args @returns {Record<string, string>} */
export function envPairs(args) {
  const parts = words(args);
  if (parts[0] && !parts[0].includes('=')) return { [parts[0]]: args.slice(parts[0].length).trim() };
  return Object.fromEntries(
    parts.map((p) => {
      const eq = p.indexOf('=');
      if (eq < 1) throw new Error(`ENV ${args}: ${p} is not KEY=value`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

/** Sources and destination of a COPY. @param {Instruction} step */
export function copyPaths(step) {
  const parts = execForm(step.args) ?? words(step.args);
  if (parts.length < 2) throw new Error(`line ${step.line}: COPY needs a source and a destination`);
  return { sources: parts.slice(0, -1), dest: /** @type {string} */ (parts.at(-1)) };
}
