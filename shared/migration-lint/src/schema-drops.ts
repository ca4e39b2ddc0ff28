import type { Add } from './checks.js';
import type { SchemaTables } from './drizzle-schema.js';
import { strings, tableKey } from './nodes.js';
import type { Node, Unit } from './parse.js';

interface Drop {
  u: Unit;
  table: string;
  /** undefined: the table itself. */
  column?: string;
}

/** DROP TABLE / ALTER TABLE ... DROP COLUMN of the file, and the names the file creates again (RENAME TO, ADD COLUMN, CREATE TABLE). */
function dropsAndRecreations(units: Unit[]): { drops: Drop[]; recreated: Set<string> } {
  const drops: Drop[] = [];
  const recreated = new Set<string>();
  for (const u of units) {
    const n = u.node;
    if (u.type === 'DropStmt' && n.removeType === 'OBJECT_TABLE') {
      for (const o of n.objects ?? []) {
        const [schema, name] = ((parts) => (parts.length > 1 ? parts.slice(-2) : ['public', parts[0]]))(
          strings(o.List?.items),
        );
        drops.push({ u, table: `${schema}.${name}` });
      }
    } else if (u.type === 'AlterTableStmt' && (!n.objtype || n.objtype === 'OBJECT_TABLE')) {
      const table = tableKey(n.relation);
      for (const c of (n.cmds ?? []).map((x: Node) => x.AlterTableCmd)) {
        if (c.subtype === 'AT_DropColumn') drops.push({ u, table, column: c.name });
        if (c.subtype === 'AT_AddColumn') recreated.add(`${table}.${c.def?.ColumnDef?.colname}`);
      }
    } else if (u.type === 'RenameStmt' && n.relation) {
      const table = tableKey(n.relation);
      if (n.renameType === 'OBJECT_COLUMN') recreated.add(`${table}.${n.newname}`);
      if (n.renameType === 'OBJECT_TABLE') recreated.add(`${n.relation.schemaname ?? 'public'}.${n.newname}`);
    } else if (u.type === 'CreateStmt') {
      recreated.add(tableKey(n.relation));
    }
  }
  return { drops, recreated };
}

/**
 * A DROP of a table or column the drizzle schema still has: the backend built from that schema
 * (the release running during the deploy, and the one deployed with it) queries it, and breaks
 * the moment the migration commits. A name the same file creates again (0061 drops search_doc
 * and renames search_doc_new to it) is not a break.
 */
export function checkSchemaDrops(units: Unit[], schema: SchemaTables, add: Add): void {
  const { drops, recreated } = dropsAndRecreations(units);
  for (const d of drops) {
    const cols = schema.get(d.table);
    if (!cols) continue;
    if (d.column === undefined && !recreated.has(d.table)) {
      add(
        d.u,
        'drop-in-schema',
        `DROP TABLE ${d.table}: the drizzle schema (shared/database/src/schema.ts) still has it, so the running backend queries it`,
      );
    } else if (d.column !== undefined && cols.has(d.column) && !recreated.has(`${d.table}.${d.column}`)) {
      add(
        d.u,
        'drop-in-schema',
        `DROP COLUMN ${d.column} of ${d.table}: the drizzle schema (shared/database/src/schema.ts) still has it, so the running backend reads and writes it`,
      );
    }
  }
}
