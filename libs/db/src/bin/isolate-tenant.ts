// CLI behind `npm run db:isolate-tenant -- <tenant id>`: moves one tenant's
// detections into a partition of their own (its own HNSW graph), on
// DATABASE_URL or the embedded PGlite under DATA_DIR. For a tenant large
// enough that sharing one graph with every other tenant costs its searches
// speed and recall (docs/scale-out.md). Idempotent.
import { parseArgs } from 'node:util';
import { isolateTenantDetections, openDatabase, tenantPartition, type Database } from '../index';

const usage = `Usage: npm run db:isolate-tenant -- <tenant id> [options]

Moves the tenant's detections out of the shared partition into detections_t_<id>, building that
partition's indexes (HNSW included) in the same transaction. Other tenants' ingest waits until it
commits; searches go on. Run it when the tenant is large (hundreds of thousands of detections) or
before loading one you know will be.

  --maintenance-work-mem <size>  for the index builds, e.g. 1GB (default: the server's setting;
                                 an HNSW graph that does not fit spills and builds several times slower)
  --parallel-workers <n>         Postgres: max_parallel_maintenance_workers for the builds
  --status                       only print where the tenant's detections are`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'maintenance-work-mem': { type: 'string' }, 'parallel-workers': { type: 'string' }, status: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (values.help || positionals.length !== 1) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
const tenantId = positionals[0]!;
let database: Database | undefined;
try {
  database = await openDatabase({ log: (message) => console.log(message) });
  const where = await tenantPartition(database, tenantId);
  console.log(`tenant ${tenantId}: ${where.rows} detection(s) in ${where.partition}`);
  if (!values.status && !where.isolated) {
    console.log(`moving them into a partition of their own and building its indexes…`);
    const started = performance.now();
    const parallel = values['parallel-workers'];
    const moved = await isolateTenantDetections(database, tenantId, {
      maintenanceWorkMem: values['maintenance-work-mem'],
      parallelWorkers: parallel === undefined ? undefined : Number(parallel),
    });
    console.log(`db:isolate-tenant: ${moved.rows} detection(s) now in ${moved.partition} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } else if (!values.status) {
    console.log('db:isolate-tenant: already isolated, nothing to do');
  }
} catch (error) {
  console.error(`db:isolate-tenant: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database?.close();
}
