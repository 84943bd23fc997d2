// CLI behind `npm run db:migrate`: applies pending migrations to DATABASE_URL,
// or to the embedded PGlite under DATA_DIR (default <repo>/.data), and prints
// what it applied.
import { migrate, openDatabase, type Database } from '../index';

const log = (message: string) => console.log(message);
let database: Database | undefined;
try {
  database = await openDatabase({ migrate: false, log });
  const { applied } = await migrate(database, { log });
  console.log(
    applied.length ? `db:migrate: applied ${applied.length} migration(s): ${applied.join(', ')}` : 'db:migrate: up to date, nothing to apply',
  );
} catch (error) {
  console.error(`db:migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database?.close();
}
