// Test fixtures: a model folder whose manifests describe a student and a
// teacher (enough for registration and ingest validation, which never run
// inference), tenants with keys, and small real JPEG images.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, type Role } from '@person-search/schema';
import { embeddingToBase64 } from '@person-search/model';
import sharp from 'sharp';
import { OPERATOR_TOKEN, type TestServer } from './test-server.js';

export const FIXTURE_STUDENT_ID = 'fixture-student';
export const FIXTURE_DIMENSION = 16;

const fakeSha = 'a'.repeat(64);
const input = { name: 'image', layout: 'NCHW', height: 64, width: 64, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };

/** Writes manifests only: registration and ingest validation read them, never the ONNX file. */
export async function writeManifestOnlyModels(dir: string): Promise<{ modelsDir: string; env: Record<string, string> }> {
  const student = {
    schemaVersion: 1, id: FIXTURE_STUDENT_ID, version: '1.0.0', role: 'student', family: 'end-to-end', file: 'model.onnx', sha256: fakeSha,
    license: 'MIT', source: 'test fixture (manifest only)', input,
    output: { decoder: 'end-to-end', tensors: { boxes: 'boxes', scores: 'scores', embeddings: 'embeddings' }, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 100 },
    embedding: { tensor: 'embeddings', dimension: FIXTURE_DIMENSION, normalized: true },
  };
  const teacher = {
    schemaVersion: 1, id: 'fixture-teacher', version: '1.0.0', role: 'teacher', family: 'reid-embedder', file: 'model.onnx', sha256: fakeSha,
    license: 'MIT', source: 'test fixture (manifest only)', input, embedding: { tensor: 'embeddings', dimension: 8, normalized: true },
  };
  for (const manifest of [student, teacher]) {
    await mkdir(path.join(dir, manifest.id), { recursive: true });
    await writeFile(path.join(dir, manifest.id, 'manifest.json'), JSON.stringify(manifest));
  }
  return { modelsDir: dir, env: { MODELS_DIR: dir, STUDENT_MODEL_ID: FIXTURE_STUDENT_ID, TEACHER_MODEL_ID: 'fixture-teacher' } };
}

export interface TenantKeys {
  tenantId: string;
  admin: string;
  device: string;
  search: string;
  galleryId: string;
}

/** A tenant with a gallery and one key per role. */
export async function createTenantWithKeys(server: TestServer, name: string): Promise<TenantKeys> {
  const created = await server.gql(CreateTenantDocument, { input: { name } }, OPERATOR_TOKEN);
  const admin = created.data!.createTenant.adminKey.secret;
  const gallery = await server.gql(CreateGalleryDocument, { input: { name: `${name}-gallery` } }, admin);
  const key = async (role: Role) => (await server.gql(CreateApiKeyDocument, { input: { name: `${name}-${role}`, role } }, admin)).data!.createApiKey.secret;
  return { tenantId: created.data!.createTenant.tenant.id, admin, device: await key('DEVICE'), search: await key('SEARCH'), galleryId: gallery.data!.createGallery.id };
}

/** A real JPEG of the given size (a colour gradient; distinct per seed so hashes differ). */
export async function jpegImage(width: number, height: number, seed = 0): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i + seed * 37) % 256;
    pixels[i * 3 + 1] = (i * 7 + seed) % 256;
    pixels[i * 3 + 2] = seed % 256;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

/** A deterministic unit vector (a client-supplied student embedding). */
export function unitEmbedding(dimension: number, seed: number): Float32Array {
  const vector = Float32Array.from({ length: dimension }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

export const b64 = embeddingToBase64;
