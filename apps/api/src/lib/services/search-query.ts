// Resolves searchPerson's `query` (exactly one of detectionId, photo,
// embedding) into a student embedding and, when there is a crop, the teacher
// embedding of that crop. A photo query uses the detection it shows (or that
// overlaps its box); failing that, the crop itself (see cropQuery).
import { boxArea, iou, type RgbImage, type Student } from '@person-search/model';
import { decodeImage } from '@person-search/model/node';
import { fromVectorSql, type SqlClient } from '@person-search/db';
import type { BoxValue } from '@person-search/schema';
import type { KeyPrincipal } from '../auth/principal.js';
import { badInput, notFound } from '../errors.js';
import { findDetection, studentEmbeddingOf } from '../repositories/detections-repository.js';
import { findImage } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import type { ServiceDeps } from './service-deps.js';

export interface PersonQueryInput {
  detectionId?: string | null;
  photo?: { blobId: string; box?: BoxValue | null } | null;
  embedding?: { modelId: string; embedding: Float32Array } | null;
}

export interface ResolvedQuery {
  studentEmbedding: Float32Array;
  /** Where the query person is, for the teacher; null for a bare embedding. */
  crop: { imageBlobSha256: string; box: BoxValue; image?: RgbImage } | null;
  detectionId: string | null;
  queryBox: BoxValue | null;
}

/** Minimum overlap between a client's box and a student detection to use the detection's embedding. */
const MIN_BOX_MATCH_IOU = 0.3;

/**
 * Resolves the query inside the search's transaction `tx`. A photo query needs no database: resolve
 * it first with resolvePhotoQuery (outside the transaction, so inference holds no connection) and
 * pass the result as `photo`.
 */
export async function resolvePersonQuery(
  deps: ServiceDeps,
  tx: SqlClient,
  actor: KeyPrincipal,
  query: PersonQueryInput,
  photo: ResolvedQuery | null = null,
): Promise<ResolvedQuery> {
  const { models } = deps;
  const student = models.requireStudent();
  const tenantId = actor.tenantId;

  if (query.detectionId != null) {
    const id = query.detectionId;
    if (!isUuid(id)) throw notFound('detection');
    const detection = await findDetection(tx, tenantId, id);
    if (!detection || (actor.galleryScope && !actor.galleryScope.includes(detection.galleryId))) throw notFound('detection');
    if (detection.studentModelId !== student.manifest.id) {
      throw badInput('input.query.detectionId', `was embedded by model "${detection.studentModelId}", not the active student`);
    }
    const vector = await studentEmbeddingOf(tx, tenantId, id);
    const image = await findImage(tx, tenantId, detection.imageId);
    if (!vector || !image) throw notFound('detection');
    const box = { x1: detection.x1, y1: detection.y1, x2: detection.x2, y2: detection.y2 };
    return { studentEmbedding: fromVectorSql(vector), crop: { imageBlobSha256: image.blobSha256, box }, detectionId: id, queryBox: box };
  }

  if (query.photo != null) return photo ?? resolvePhotoQuery(deps, actor, query.photo);

  if (query.embedding != null) {
    const { modelId, embedding } = query.embedding;
    if (modelId !== student.manifest.id) throw badInput('input.query.embedding.modelId', `must be the active student model "${student.manifest.id}"`);
    if (embedding.length !== student.dimension) {
      throw badInput('input.query.embedding.embedding', `has ${embedding.length} values; model "${modelId}" produces ${student.dimension}`);
    }
    return { studentEmbedding: embedding, crop: null, detectionId: null, queryBox: null };
  }
  throw badInput('input.query', 'give exactly one of detectionId, photo, embedding');
}

/** The photo query: decode once, detect people, pick the boxed (or largest) one. No database access. */
export async function resolvePhotoQuery(deps: ServiceDeps, actor: KeyPrincipal, photo: NonNullable<PersonQueryInput['photo']>): Promise<ResolvedQuery> {
  const { models, blobs, config, metrics } = deps;
  const tenantId = actor.tenantId;
  const { blobId, box } = photo;
  const blob = /^[0-9a-f]{64}$/.test(blobId) ? await blobs.info(tenantId, blobId) : null;
  if (!/^[0-9a-f]{64}$/.test(blobId)) throw badInput('input.query.photo.blobId', 'is not a blob id returned by PUT /v1/blobs');
  if (!blob) throw notFound('blob (upload it with PUT /v1/blobs first)', 'input.query.photo.blobId');
  const image = await decodeImage(await blobs.read(tenantId, blobId), { maxPixels: config.limits.imagePixels });
  if (box) {
    const { x1, y1, x2, y2 } = box;
    if (![x1, y1, x2, y2].every(Number.isFinite) || !(x2 > x1 && y2 > y1) || x1 < -1 || y1 < -1 || x2 > image.width + 1 || y2 > image.height + 1) {
      throw badInput('input.query.photo.box', `must be a non-empty box inside the ${image.width}x${image.height} image`);
    }
  }
  const session = await models.studentSession();
  const started = performance.now();
  const people = await session.detectPeople(image);
  metrics.inferenceSeconds.observe({ model: session.manifest.id, kind: 'student' }, (performance.now() - started) / 1000);
  const withEmbedding = people.filter((person) => person.embedding);
  const chosen = box
    ? withEmbedding.map((person) => ({ person, overlap: iou(person.box, box) })).sort((a, b) => b.overlap - a.overlap)[0]
    : withEmbedding.map((person) => ({ person, overlap: 1 })).sort((a, b) => boxArea(b.person.box) - boxArea(a.person.box))[0];
  if (!chosen || chosen.overlap < MIN_BOX_MATCH_IOU) return cropQuery(deps, session, image, blobId, box ?? null);
  const queryBox = box ?? chosen.person.box;
  return { studentEmbedding: chosen.person.embedding!, crop: { imageBlobSha256: blobId, box: queryBox, image }, detectionId: null, queryBox };
}

/**
 * No detection matches: the query is a crop (a person photo cropped upright, where the detector
 * scores low) or a box around someone the detector missed. The student embeds that box — or the
 * whole upright image — directly (query boxes / a composite's embedder), and the teacher embeds the
 * same crop later. A landscape photo with nobody detected and no box is still refused: it is a scene,
 * and its whole-image embedding would match noise.
 */
async function cropQuery(deps: ServiceDeps, student: Student, image: RgbImage, blobId: string, box: BoxValue | null): Promise<ResolvedQuery> {
  const upright = image.height >= image.width;
  if (!student.embedBoxes || (!box && !upright)) {
    throw badInput(box ? 'input.query.photo.box' : 'input.query.photo.blobId', box ? 'no detected person overlaps this box' : 'no person detected in the photo');
  }
  const queryBox = box ?? { x1: 0, y1: 0, x2: image.width, y2: image.height };
  const started = performance.now();
  const [embedding] = await student.embedBoxes(image, [queryBox]);
  deps.metrics.inferenceSeconds.observe({ model: student.manifest.id, kind: 'student' }, (performance.now() - started) / 1000);
  return { studentEmbedding: embedding!, crop: { imageBlobSha256: blobId, box: queryBox, image }, detectionId: null, queryBox };
}

/**
 * The teacher embedding of the query crop (one crop: cheaper to compute than to look up and parse).
 * The decoded frame goes into `decoded`, so candidates on the same frame do not decode it again.
 */
export async function teacherQueryEmbedding(deps: ServiceDeps, tenantId: string, query: ResolvedQuery, decoded: Map<string, RgbImage>): Promise<Float32Array | null> {
  const teacher = deps.models.teacher;
  if (!query.crop || !teacher) return null;
  const session = await deps.models.teacherSession();
  const { imageBlobSha256 } = query.crop;
  const image =
    query.crop.image ?? decoded.get(imageBlobSha256) ?? (await decodeImage(await deps.blobs.read(tenantId, imageBlobSha256), { maxPixels: deps.config.limits.imagePixels }));
  decoded.set(imageBlobSha256, image);
  const started = performance.now();
  const [embedding] = await session.embedCrops(image, [query.crop.box]);
  deps.metrics.inferenceSeconds.observe({ model: session.manifest.id, kind: 'teacher' }, (performance.now() - started) / 1000);
  return embedding ?? null;
}
