// `npm start` (nx run api:serve): the API, the teacher worker and the kiosk
// page in one process, on embedded defaults. Prints the URLs and, on a fresh
// data dir, the bootstrap tenant's admin key.
import { createApp } from './lib/app.js';
import { ConfigError, loadConfig } from './lib/config.js';
import { startHttpServer } from './lib/http/server.js';
import { ensureDefaultModels } from './lib/inference/default-models.js';

if (process.argv.includes('--help')) {
  console.log(`Usage: npm start   (API + teacher worker + kiosk in one process)

Environment (defaults in brackets; see README "Configuration"):
  PORT [4000]  HOST [127.0.0.1]  PUBLIC_URL  ALLOWED_HOSTS (one of the two is required when HOST is not loopback)
  DATABASE_URL [embedded PGlite]  DATA_DIR [<repo>/.data]
  MODELS_DIR [<repo>/.models]  STUDENT_MODEL_ID [default-student]  TEACHER_MODEL_ID [default-teacher]
  ORT_EXECUTION_PROVIDERS [cpu]  OPERATOR_TOKEN  WORKER_IN_PROCESS [true]  WORKER_LEASE_SECONDS [30]  LOG_LEVEL [info]
  devices: DEVICE_TOKEN_TTL_SECONDS [900]  DEVICE_REFRESH_TTL_SECONDS [2592000]
  HTTP: HTTP_HEADERS_TIMEOUT_MS [10000]  HTTP_REQUEST_TIMEOUT_MS [120000]  HTTP_KEEP_ALIVE_TIMEOUT_MS [5000]
        GRAPHQL_INTROSPECTION [public; keys when NODE_ENV=production]  SIGNED_URL_TTL_SECONDS [3600]
  limits: MAX_BODY_BYTES MAX_IMAGE_BYTES MAX_IMAGE_PIXELS MAX_IMAGE_SIDE IMAGE_DECODE_TIMEOUT_SECONDS MAX_DETECTIONS_PER_FRAME MAX_TOP_K MAX_CANDIDATE_POOL
          MAX_QUERY_DEPTH MAX_QUERY_COMPLEXITY RATE_LIMIT_PER_MINUTE [1200]
          RATE_LIMIT_SHARED [auto: true when DATABASE_URL is set; one limit across replicas]`);
  process.exit(0);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

await ensureDefaultModels(config, (line) => console.log(line));
const app = await createApp(config);
const running = await startHttpServer(app, { port: config.port, host: config.host }).catch(async (error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  await app.close();
  process.exit(2);
});
if (config.worker.inProcess) {
  app.worker.start();
  app.sweeper.start();
}

const bootstrap = await app.services.tenants.bootstrapIfEmpty();
const base = config.publicUrl ?? running.url;
const lines = [
  '',
  `person-search API ready (${app.db.kind}${app.db.kind === 'pglite' ? ` in ${config.dataDir}` : ''})`,
  `  GraphQL   ${base}/graphql`,
  `  Kiosk     ${base}/kiosk/`,
  `  Health    ${base}/healthz   Metrics ${base}/metrics`,
  `  Student   ${app.models.student?.manifest.id ?? 'none (run `npm run models`)'}   Teacher ${app.models.teacher?.manifest.id ?? 'none'}   worker ${config.worker.inProcess ? 'in-process' : 'off (npm run worker)'}`,
];
if (bootstrap) {
  lines.push(
    '',
    `  Fresh data dir: created tenant "${bootstrap.tenant.name}" (${bootstrap.tenant.id}) with an admin key, shown only now:`,
    `    ${bootstrap.adminKey.secret}`,
    `  Try: curl -s ${base}/graphql -H 'authorization: Bearer ${bootstrap.adminKey.secret}' -H 'content-type: application/json' -d '{"query":"{ viewer { role tenant { name } } }"}'`,
  );
}
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down`);
    void running
      .close()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}
