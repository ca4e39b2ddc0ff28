import type { Node } from './parse.js';

/** `schema.table` of a RangeVar (unqualified: public, as the runner's search_path resolves it). */
export const tableKey = (rel: Node | undefined): string => `${rel?.schemaname ?? 'public'}.${rel?.relname ?? '?'}`;

/** The names of a list of String nodes (qualified names, column lists). */
export const strings = (list: Node[] | undefined): string[] =>
  (list ?? []).map((n) => n.String?.sval).filter((s): s is string => !!s);

/** Every node of a given type inside a subtree. */
export function findAll(node: unknown, type: string, out: Node[] = []): Node[] {
  if (Array.isArray(node)) for (const n of node) findAll(n, type, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === type) out.push(v as Node);
      findAll(v, type, out);
    }
  }
  return out;
}

/** The constant `true` (what makes set_config transaction-local). */
export function isTrue(arg: Node | undefined): boolean {
  const c = arg?.A_Const ?? arg?.TypeCast?.arg?.A_Const;
  return c?.boolval?.boolval === true || ['true', 't', 'on'].includes(String(c?.sval?.sval ?? '').toLowerCase());
}
