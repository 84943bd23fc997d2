// `npm run worker`: the teacher worker and the retention sweeper alone (production runs API replicas and
// workers as separate processes). Same configuration as the API.
import { createApp } from './lib/app.js';
import { loadConfig } from './lib/config.js';
import { ensureDefaultModels } from './lib/inference/default-models.js';

const config = loadConfig();
await ensureDefaultModels(config, (line) => console.log(line));
const app = await createApp(config);
if (!app.models.teacher) {
  console.error('no teacher model found; run `npm run models` (or set MODELS_DIR / TEACHER_MODEL_ID)');
  await app.close();
  process.exit(1);
}
app.worker.start();
app.sweeper.start();
console.log(`teacher worker running (${app.db.kind}, teacher ${app.models.teacher.manifest.id}); Ctrl-C to stop`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void app.close().then(() => process.exit(0)));
}
