// PUT /v1/blobs (upload an image into the caller's tenant), and the signed,
// tenant-checked GETs of stored frames and person crops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import type { Principal } from '../auth/principal.js';
import { requireKey } from '../auth/principal.js';
import { AppError, badInput, notFound, tooLarge } from '../errors.js';
import type { AppContext } from '../app.js';
import { findDetection } from '../repositories/detections-repository.js';
import { findImage } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { sendJson } from './http-io.js';

const formatsByContentType: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

export async function putBlob(app: AppContext, request: IncomingMessage, response: ServerResponse, actor: Principal): Promise<void> {
  const key = requireKey(actor);
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const expectedFormat = formatsByContentType[contentType];
  if (!expectedFormat) throw badInput('Content-Type', `must be one of ${Object.keys(formatsByContentType).join(', ')}`);
  const { imageBytes, imagePixels } = app.config.limits;
  if (Number(request.headers['content-length'] ?? 0) > imageBytes) throw tooLarge('body', `the image exceeds ${imageBytes} bytes`);

  const staged = await app.blobs.stage(key.tenantId, request, imageBytes);
  try {
    if (staged.bytes === 0) throw badInput('body', 'is empty');
    const metadata = await sharp(staged.path, { limitInputPixels: false }).metadata().catch((error: unknown) => {
      throw new AppError('BAD_USER_INPUT', 'body: not a decodable image', 'body', { cause: error });
    });
    if (metadata.format !== expectedFormat) throw badInput('Content-Type', `says ${contentType} but the body is ${metadata.format}`);
    // Width and height as displayed (EXIF orientation applied): the frame the edge's boxes refer to.
    const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
    const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
    if (width <= 0 || height <= 0) throw badInput('body', 'the image has no pixels');
    if (width * height > imagePixels) throw tooLarge('pixels', `${width}x${height} exceeds the limit of ${imagePixels} pixels`);
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
  const signed = app.signer.verify(kind, tenantId, id, url.searchParams.get('expires'), url.searchParams.get('signature'));
  const byKey = actor.kind === 'key' && actor.tenantId === tenantId;
  if (!signed && !byKey) throw notFound(kind);

  const found = await app.db.withTenant(tenantId, async (tx) => {
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
  const crop = await sharp(bytes).autoOrient().extract({ left, top, width, height }).jpeg({ quality: 85 }).toBuffer();
  response.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': crop.length });
  response.end(crop);
}
