// PUT /v1/blobs stores an image only after it decoded in full within the
// pixel, side and time limits: truncated and corrupted files, 1×40M strips and
// fast-check mutations of real JPEG/PNG bytes are refused with a typed error
// and leave nothing behind; whatever is accepted decodes. A stored image that
// cannot be decoded gives a clear crop error. Signed URLs expire within their
// TTL and die with the key that minted them.
import { readdir, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { CreateApiKeyDocument, DetectionDocument, IngestFrameDocument, RevokeApiKeyDocument } from '@person-search/schema';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlSigner } from '../src/lib/blobs/signed-urls.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, startTestServer, type TestServer } from './support/test-server.js';

/** A grey PNG of any size without decoding or holding its pixels (sharp would take ~20 s to encode 1×40M). */
function greyPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const rows = Buffer.alloc((width + 1) * height, 0); // filter byte 0 + black pixels per row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

describe.each(backends())('blob upload validation and signed URLs (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;
  let realJpeg: Buffer;
  let realPng: Buffer;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, RATE_LIMIT_PER_MINUTE: '0' } });
    tenant = await createTenantWithKeys(server, 'uploads');
    realJpeg = await jpegImage(96, 64, 3);
    realPng = await sharp(await jpegImage(48, 40, 5)).png().toBuffer();
  });
  afterAll(() => server?.close());

  /** Blob files of the tenant plus anything left in staging. */
  async function storedFiles(): Promise<string[]> {
    const root = path.join(server.dataDir, 'blobs');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name))).sort();
  }

  async function expectRefused(bytes: Buffer, contentType: string, code: string, field: string): Promise<void> {
    const before = await storedFiles();
    const response = await server.putBlob(bytes, contentType, tenant.device);
    expect(response.body).toMatchObject({ error: { code, field } });
    expect(await storedFiles()).toEqual(before);
  }

  it('accepts a real JPEG and PNG', async () => {
    expect((await server.putBlob(realJpeg, 'image/jpeg', tenant.device)).status).toBe(201);
    expect((await server.putBlob(realPng, 'image/png', tenant.device)).status).toBe(201);
  });

  it.each([0.2, 0.5, 0.9])('refuses a JPEG truncated to %s of its bytes, storing nothing', async (fraction) => {
    await expectRefused(realJpeg.subarray(0, Math.floor(realJpeg.length * fraction)), 'image/jpeg', 'BAD_USER_INPUT', 'body');
  });

  it.each([0.3, 0.7, 0.95])('refuses a PNG truncated to %s of its bytes, storing nothing', async (fraction) => {
    await expectRefused(realPng.subarray(0, Math.floor(realPng.length * fraction)), 'image/png', 'BAD_USER_INPUT', 'body');
  });

  it('refuses a 1×39,999,999 PNG (within the pixel limit, but a side past MAX_IMAGE_SIDE) as PAYLOAD_TOO_LARGE', async () => {
    await expectRefused(greyPng(1, 39_999_999), 'image/png', 'PAYLOAD_TOO_LARGE', 'pixels');
  });

  it('refuses an image whose body is not what its Content-Type says', async () => {
    await expectRefused(realPng, 'image/jpeg', 'BAD_USER_INPUT', 'Content-Type');
  });

  it('fast-check: mutated and truncated real JPEG/PNG bytes are never a 500; refused ones store nothing, accepted ones decode', async () => {
    const mutation = fc.record({
      png: fc.boolean(),
      truncateTo: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      insert: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 16 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ png, truncateTo, flips, insert }) => {
        let bytes = Buffer.from(png ? realPng : realJpeg);
        for (const [at, value] of flips) bytes[Math.floor(at * bytes.length)] = value;
        if (insert) {
          const at = Math.floor(insert[0] * bytes.length);
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(insert[1]), bytes.subarray(at)]);
        }
        if (truncateTo !== undefined) bytes = bytes.subarray(0, Math.floor(truncateTo * bytes.length));
        const before = await storedFiles();
        const response = await server.putBlob(bytes, png ? 'image/png' : 'image/jpeg', tenant.device);
        expect([201, 400, 413]).toContain(response.status);
        if (response.status === 201) {
          // Whatever is stored decodes in full.
          await sharp(bytes, { failOn: 'error' }).raw().toBuffer();
        } else {
          expect(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE']).toContain((response.body.error as { code: string }).code);
          expect(await storedFiles()).toEqual(before);
        }
      }),
      { numRuns: 80 },
    );
  });

  async function ingestOne(seed: number): Promise<{ detectionId: string; blobId: string }> {
    const blobId = (await server.putBlob(await jpegImage(120, 90, seed), 'image/jpeg', tenant.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, {
      input: {
        idempotencyKey: `upload-${seed}`, galleryId: tenant.galleryId, blobId, capturedAt: '2026-02-01T00:00:00Z', modelId: FIXTURE_STUDENT_ID,
        detections: [{ box: { x1: 5, y1: 5, x2: 60, y2: 80 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, seed)) }],
      },
    }, tenant.device);
    return { detectionId: ingested.data!.ingestFrame.detections[0]!.id, blobId };
  }

  it('a stored image that no longer decodes gives the crop route a clear NOT_FOUND, not an internal error', async () => {
    const { detectionId, blobId } = await ingestOne(11);
    const blobFile = path.join(server.dataDir, 'blobs', tenant.tenantId, blobId.slice(0, 2), blobId);
    await writeFile(blobFile, realJpeg.subarray(0, 200)); // damaged on disk after upload
    const response = await fetch(`${server.url}/v1/crops/${tenant.tenantId}/${detectionId}`, { headers: { authorization: `Bearer ${tenant.admin}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND', field: 'crop', message: expect.stringMatching(/cannot be decoded/) } });
  });

  it('signed URLs expire within their TTL of being issued (never later), and verify until then', () => {
    const signer = new UrlSigner('secret', 3600);
    const minter = { tenantId: '00000000-0000-4000-8000-000000000001', keyId: '00000000-0000-4000-8000-000000000002' };
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), (nowMs) => {
        const url = new URL(signer.path('crop', minter, 'd', nowMs), 'http://x');
        const expires = Number(url.searchParams.get('expires'));
        expect(expires * 1000).toBeLessThanOrEqual(nowMs + 3600_000);
        expect(expires * 1000).toBeGreaterThan(nowMs + 3600_000 - 301_000);
        expect(signer.verify('crop', minter.tenantId, 'd', url.searchParams, nowMs)).toEqual({ keyId: minter.keyId });
        expect(signer.verify('crop', minter.tenantId, 'd', url.searchParams, expires * 1000 + 1)).toBeNull();
        const otherKey = new URLSearchParams(url.searchParams);
        otherKey.set('key', '00000000-0000-4000-8000-000000000003');
        expect(signer.verify('crop', minter.tenantId, 'd', otherKey, nowMs)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('a signed URL stops working when the key that minted it is revoked', async () => {
    const { detectionId } = await ingestOne(12);
    const created = await server.gql(CreateApiKeyDocument, { input: { name: 'short-lived', role: 'SEARCH' } }, tenant.admin);
    const { secret, apiKey } = created.data!.createApiKey;
    const cropUrl = (await server.gql(DetectionDocument, { id: detectionId }, secret)).data!.detection.cropUrl;
    expect(new URL(cropUrl).searchParams.get('key')).toBe(apiKey.id);
    expect((await fetch(cropUrl)).status).toBe(200);
    const otherUrl = (await server.gql(DetectionDocument, { id: detectionId }, tenant.search)).data!.detection.cropUrl;
    expect((await server.gql(RevokeApiKeyDocument, { id: apiKey.id }, tenant.admin)).errors).toBeUndefined();
    expect((await fetch(cropUrl)).status).toBe(404);
    expect((await fetch(otherUrl)).status).toBe(200); // URLs of other keys live on
  });
});
