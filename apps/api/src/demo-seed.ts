// `npm run demo:seed [-- <folder>]`: ingests real photos of people so a new
// user can search right away. Default photos: Debian's opencv-doc and
// python3-skimage packages (fetched with apt-get download). Acts as an edge:
// runs the student here, uploads each photo and ingests its detections into
// the gallery "demo". Talks to a running API (PERSON_SEARCH_API_URL, default
// http://127.0.0.1:$PORT, with PERSON_SEARCH_API_KEY) or, when none answers,
// starts one in-process on the embedded data dir and runs the teacher worker.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { embeddingToBase64 } from '@person-search/model';
import { decodeImage, loadStudent } from '@person-search/model/node';
import { CreateGalleryDocument, GalleriesDocument, IngestFrameDocument, ModelsDocument } from '@person-search/schema';
import { createApp, type AppContext } from './lib/app.js';
import { loadConfig, repoRoot } from './lib/config.js';
import { ApiClient } from './lib/demo/api-client.js';
import { debianPeoplePhotos, photosInFolder } from './lib/demo/debian-photos.js';
import { createProgressBar } from './lib/demo/progress-bar.js';
import { startHttpServer, type RunningServer } from './lib/http/server.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`Usage: npm run demo:seed [-- <folder>]

Ingests photos of people into the gallery "demo" (default: people photos from Debian's
opencv-doc and python3-skimage packages, downloaded once into $DATA_DIR/demo-photos).
If an API answers at PERSON_SEARCH_API_URL (default http://127.0.0.1:$PORT) it is used with
PERSON_SEARCH_API_KEY (an ADMIN key); otherwise the API is started in-process on the
embedded data dir (stop \`npm start\` first: embedded PGlite allows one process).`);
  process.exit(0);
}
const folder = args.find((arg) => !arg.startsWith('--'));
const config = loadConfig();
const log = (message: string) => console.error(message);
const contentTypes: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) }).then((response) => response.ok, () => false);
}

// npm (and Nx) run scripts in the project folder, and INIT_CWD does not survive
// `npm run` → nx → `npm run`: a relative folder is looked up from the caller's
// directory when known, else from the repository root.
const photoFolder = folder
  ? ([process.env.INIT_CWD, repoRoot, process.cwd()].filter((base): base is string => Boolean(base)).map((base) => path.resolve(base, folder)).find((candidate) => existsSync(candidate)) ?? path.resolve(folder))
  : null;
const photos = photoFolder ? await photosInFolder(photoFolder) : await debianPeoplePhotos(path.join(config.dataDir, 'demo-photos'), log);
if (photos.length === 0) throw new Error(`no jpg/png/webp photos found in ${photoFolder}`);

const remoteUrl = process.env.PERSON_SEARCH_API_URL ?? `http://127.0.0.1:${config.port}`;
let local: { app: AppContext; server: RunningServer } | null = null;
let client: ApiClient;
if (await answers(remoteUrl)) {
  const key = process.env.PERSON_SEARCH_API_KEY;
  if (!key) throw new Error(`an API is running at ${remoteUrl}: set PERSON_SEARCH_API_KEY to an ADMIN key (printed by \`npm start\` on first run)`);
  client = new ApiClient(remoteUrl, key);
  log(`seeding the running API at ${remoteUrl}`);
} else {
  const app = await createApp({ ...config, logLevel: 'warn' });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  local = { app, server };
  const issued = (await app.services.tenants.bootstrapIfEmpty()) ?? (await app.services.tenants.issueLocalAdminKey('demo-seed'));
  if (!issued) throw new Error('no tenant to seed');
  log(`no API answered at ${remoteUrl}: seeding ${config.dataDir} in-process`);
  log(`admin key for tenant "${issued.tenant.name}" (shown once, keep it): ${issued.adminKey.secret}`);
  client = new ApiClient(server.url, issued.adminKey.secret);
}

try {
  const { student: studentModel } = (await client.graphql(ModelsDocument, {})).models;
  if (!studentModel) throw new Error('the API has no student model: run `npm run models` first');
  const galleries = (await client.graphql(GalleriesDocument, { first: 200 })).galleries.edges.map((edge) => edge.node);
  const gallery = galleries.find((g) => g.name === 'demo') ?? (await client.graphql(CreateGalleryDocument, { input: { name: 'demo' } })).createGallery;
  const student = await loadStudent(path.join(config.modelsDir, studentModel.id), { executionProviders: config.executionProviders });
  if (student.manifest.id !== studentModel.id) throw new Error(`local model ${student.manifest.id} differs from the API's ${studentModel.id}`);

  const progress = createProgressBar(photos.length, 'seeding');
  let people = 0;
  let frames = 0;
  for (const [index, photo] of photos.entries()) {
    const bytes = await readFile(photo);
    const contentType = contentTypes[path.extname(photo).toLowerCase()]!;
    const { blobId } = await client.putBlob(bytes, contentType);
    const detections = (await student.detectPeople(await decodeImage(bytes, { maxPixels: config.limits.imagePixels }))).filter((d) => d.embedding);
    if (detections.length > 0) {
      await client.graphql(IngestFrameDocument, {
        input: {
          idempotencyKey: `demo-seed:${blobId}`,
          galleryId: gallery.id,
          blobId,
          // One minute apart, in file order, so time filters have something to cut.
          capturedAt: new Date(Date.UTC(2026, 0, 1, 12, index)).toISOString(),
          modelId: student.manifest.id,
          detections: detections.slice(0, config.limits.detectionsPerFrame).map((d) => ({ box: d.box, score: d.score, embedding: embeddingToBase64(d.embedding!) })),
        },
      });
      people += detections.length;
      frames += 1;
    }
    progress.tick(`${path.basename(photo)}: ${detections.length} ${detections.length === 1 ? 'person' : 'people'}`);
  }
  progress.finish();
  await student.release();

  if (local) {
    log('computing teacher embeddings…');
    let embedded = 0;
    for (let n = await local.app.worker.runOnce(); n > 0; n = await local.app.worker.runOnce()) embedded += n;
    log(`teacher embedded ${embedded} detections`);
  }
  console.log(`seeded gallery "demo" (${gallery.id}): ${frames} of ${photos.length} photos had people, ${people} detections.`);
  console.log('Search with searchPerson(input: { query: { detectionId: "<a detection id>" } }) or open the kiosk: npm start, then /kiosk/');
} finally {
  if (local) {
    await local.server.close();
    await local.app.close();
  }
}
