// Makes PostgreSQL fail the insert of one legacy row, so a test can break a tick in the middle.
import type { Sql } from 'postgres';

/**
 * A BEFORE INSERT trigger on `table` raising 'boom' for the row whose `column` is `legacyId`.
 * Returns the function that removes it.
 */
export async function failInsertOf(
  sql: Sql,
  table: string,
  column: string,
  legacyId: number,
): Promise<() => Promise<void>> {
  await sql.unsafe(`CREATE FUNCTION wxyc_schema.test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.${column} = ${Number(legacyId)} THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`);
  await sql.unsafe(
    `CREATE TRIGGER test_fail BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION wxyc_schema.test_fail()`,
  );
  return async () => {
    await sql.unsafe(`DROP TRIGGER test_fail ON ${table}`);
    await sql.unsafe('DROP FUNCTION wxyc_schema.test_fail()');
  };
}
