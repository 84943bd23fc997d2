// PUT /v1/blobs (upload an image into the caller's tenant), and the signed,
// tenant-checked GETs of stored frames and person crops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import type { Principal } from '../auth/principal.js';
import { canReadFrames, requireKey } from '../auth/principal.js';
import { AppError, badInput, notFound, tooLarge } from '../errors.js';
import type { AppContext } from '../app.js';
import { findDetection } from '../repositories/detections-repository.js';
import { findApiKey } from '../repositories/api-keys-repository.js';
import { findImage } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { validateImage } from '../blobs/image-validation.js';
import { sendJson } from './http-io.js';

const formatsByContentType: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

export async function putBlob(app: AppContext, request: IncomingMessage, response: ServerResponse, actor: Principal): Promise<void> {
  const key = requireKey(actor);
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const expectedFormat = formatsByContentType[contentType];
  if (!expectedFormat) throw badInput('Content-Type', `must be one of ${Object.keys(formatsByContentType).join(', ')}`);
  const { imageBytes } = app.config.limits;
  if (Number(request.headers['content-length'] ?? 0) > imageBytes) throw tooLarge('body', `the image exceeds ${imageBytes} bytes`);

  const staged = await app.blobs.stage(key.tenantId, request, imageBytes);
  try {
    if (staged.bytes === 0) throw badInput('body', 'is empty');
    // Nothing is stored unless the whole image decodes within the limits.
    const { width, height } = await validateImage(staged.path, expectedFormat, contentType, app.config.limits);
    const info = await staged.commit({ contentType, width, height });
    sendJson(response, 201, { blobId: info.sha256, sha256: info.sha256, width, height, bytes: info.bytes, contentType });
  } finally {
    await staged.discard();
  }
}

/** GET /v1/images/<tenantId>/<imageId> and /v1/crops/<tenantId>/<detectionId>: a valid signature or the tenant's key. */
export async function getStoredImage(
  app: AppContext,
  kind: 'image' | 'crop',
  tenantId: string,
  id: string,
  url: URL,
  actor: Principal,
  response: ServerResponse,
): Promise<void> {
  if (!isUuid(tenantId) || !isUuid(id)) throw notFound(kind);
  const signed = app.signer.verify(kind, tenantId, id, url.searchParams);
  const byKey = canReadFrames(actor) && actor.tenantId === tenantId;
  if (!signed && !byKey) throw notFound(kind);

  const found = await app.db.withTenant(tenantId, async (tx) => {
    // A URL bound to a key lives only while that key does (revocation ends it).
    if (signed?.keyId && !byKey) {
      const minter = isUuid(signed.keyId) ? await findApiKey(tx, tenantId, signed.keyId) : null;
      if (!minter || minter.revokedAt) return null;
    }
    if (kind === 'image') {
      const image = await findImage(tx, tenantId, id);
      return image ? { image, box: null } : null;
    }
    const detection = await findDetection(tx, tenantId, id);
    const image = detection ? await findImage(tx, tenantId, detection.imageId) : null;
    return detection && image ? { image, box: detection } : null;
  });
  if (!found) throw notFound(kind);
  if (actor.kind === 'key' && !signed && actor.galleryScope && !actor.galleryScope.includes(found.image.galleryId)) throw notFound(kind);

  const bytes = await app.blobs.read(tenantId, found.image.blobSha256);
  const headers = { 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' };
  if (!found.box) {
    response.writeHead(200, { ...headers, 'content-type': found.image.contentType, 'content-length': bytes.length });
    response.end(bytes);
    return;
  }
  const { x1, y1, x2, y2 } = found.box;
  const left = Math.max(0, Math.floor(x1));
  const top = Math.max(0, Math.floor(y1));
  const width = Math.max(1, Math.min(found.image.width - left, Math.ceil(x2) - left));
  const height = Math.max(1, Math.min(found.image.height - top, Math.ceil(y2) - top));
  // Images stored before upload-time validation may not decode: that crop
  // does not exist (NOT_FOUND, said plainly); a decode timeout is transient.
  const crop = await sharp(bytes, { limitInputPixels: app.config.limits.imagePixels })
    .timeout({ seconds: app.config.limits.imageDecodeSeconds })
    .autoOrient()
    .extract({ left, top, width, height })
    .jpeg({ quality: 85 })
    .toBuffer()
    .catch((error: unknown) => {
      if (error instanceof Error && /timeout/i.test(error.message)) throw new AppError('UNAVAILABLE', 'crop: decoding the stored image timed out; retry later', undefined, { cause: error });
      throw new AppError('NOT_FOUND', 'crop: the stored image cannot be decoded, so this crop cannot be made', 'crop', { cause: error });
    });
  response.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': crop.length });
  response.end(crop);
}
