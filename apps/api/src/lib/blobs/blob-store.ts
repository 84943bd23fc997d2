// Content-addressed storage for uploaded images. Blobs are namespaced by
// tenant: a tenant can only reference, read or delete its own copies, and
// deleting a tenant's last reference never touches another tenant's data.
// An S3-compatible store implements the same interface with key
// `<tenantId>/<sha256>`.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  sha256: string;
  bytes: number;
  contentType: string;
  width: number;
  height: number;
}

/** A staged upload: hashed and measured, not yet visible under its address. */
export interface StagedBlob {
  sha256: string;
  bytes: number;
  /** Path of the staged bytes, for inspection (image header) before committing. */
  path: string;
  commit(info: Omit<BlobInfo, 'sha256' | 'bytes'>): Promise<BlobInfo>;
  discard(): Promise<void>;
}

export interface BlobStore {
  /** Streams `body` into staging, hashing it; fails with PAYLOAD_TOO_LARGE past `maxBytes`. */
  stage(tenantId: string, body: Readable, maxBytes: number): Promise<StagedBlob>;
  info(tenantId: string, sha256: string): Promise<BlobInfo | null>;
  read(tenantId: string, sha256: string): Promise<Buffer>;
  delete(tenantId: string, sha256: string): Promise<void>;
}

export const sha256Pattern = /^[0-9a-f]{64}$/;
