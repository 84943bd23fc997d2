// BlobStore on the local file system: <root>/<tenantId>/<aa>/<sha256> plus a
// JSON sidecar with the image's content type and size. Writes go to a staging
// file first and are renamed into place, so a reader never sees half a blob.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { tooLarge } from '../errors.js';
import { sha256Pattern, type BlobInfo, type BlobStore, type StagedBlob } from './blob-store.js';

const uuidPattern = /^[0-9a-f-]{36}$/;

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  #blobPath(tenantId: string, sha256: string): string {
    // Both parts are validated, so neither can climb out of the root.
    if (!uuidPattern.test(tenantId) || !sha256Pattern.test(sha256)) throw new Error('invalid blob address');
    return path.join(this.root, tenantId, sha256.slice(0, 2), sha256);
  }

  async stage(tenantId: string, body: Readable, maxBytes: number): Promise<StagedBlob> {
    const stagingDir = path.join(this.root, '.staging');
    await mkdir(stagingDir, { recursive: true });
    const stagingPath = path.join(stagingDir, randomUUID());
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) return callback(tooLarge('body', `the image exceeds ${maxBytes} bytes`));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(stagingPath));
    } catch (error) {
      await rm(stagingPath, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    const finalPath = this.#blobPath(tenantId, sha256);
    return {
      sha256,
      bytes,
      path: stagingPath,
      commit: async (details) => {
        const info: BlobInfo = { sha256, bytes, ...details };
        await mkdir(path.dirname(finalPath), { recursive: true });
        await writeFile(`${finalPath}.json`, JSON.stringify(info));
        await rename(stagingPath, finalPath);
        return info;
      },
      discard: () => rm(stagingPath, { force: true }),
    };
  }

  async info(tenantId: string, sha256: string): Promise<BlobInfo | null> {
    if (!sha256Pattern.test(sha256)) return null;
    try {
      return JSON.parse(await readFile(`${this.#blobPath(tenantId, sha256)}.json`, 'utf8')) as BlobInfo;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  read(tenantId: string, sha256: string): Promise<Buffer> {
    return readFile(this.#blobPath(tenantId, sha256));
  }

  async delete(tenantId: string, sha256: string): Promise<void> {
    const blobPath = this.#blobPath(tenantId, sha256);
    await rm(blobPath, { force: true });
    await rm(`${blobPath}.json`, { force: true });
  }
}
