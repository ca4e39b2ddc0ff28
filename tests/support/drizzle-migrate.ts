// Kept as the tests' import path; the helper lives in @wxyc/database so the demo can use it too.
export { migrateWithDrizzle } from '@wxyc/database';
