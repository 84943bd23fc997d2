// The network layer the kiosk needs, as one small interface, so the views and
// the upload queue never see HTTP or GraphQL details.
import type { Box } from '@person-search/model';

export interface UploadedBlob {
  blobId: string;
  width: number;
  height: number;
}

export interface FrameDetection {
  box: Box;
  score: number;
  /** Student embedding, base64 little-endian float32 (the schema's Embedding scalar). */
  embedding: string;
}

export interface IngestFrameRequest {
  /** Chosen once per frame on the device; the server stores the frame once per key. */
  idempotencyKey: string;
  galleryId: string;
  blobId: string;
  /** ISO 8601. */
  capturedAt: string;
  modelId: string;
  detections: FrameDetection[];
}

export interface SearchRequest {
  blobId: string;
  /** The chosen person, in the uploaded photo's pixels. */
  box: Box;
  galleryIds: string[];
  topK: number;
}

export interface SearchHit {
  rank: number;
  /** Teacher cosine when the server re-ranked this hit, else the student cosine. */
  score: number;
  /** null when the hit was not re-ranked (its score is then the student's). */
  teacherScore: number | null;
  detectionId: string;
  box: Box;
  capturedAt: string;
  /** Stands in for the camera: a kiosk captures into its own gallery. */
  galleryId: string;
  galleryName: string;
  imageUrl: string;
  imageWidth: number;
  imageHeight: number;
  cropUrl: string;
}

export interface SearchResult {
  hits: SearchHit[];
  totalMs: number | null;
  /** The teacher that re-ranked (its id sets the score scale, see result-groups.ts); null without one. */
  teacherModelId: string | null;
}

export interface StudentModelLocation {
  id: string;
  version: string;
  sha256: string;
  manifestUrl: string;
  modelUrl: string;
}

/** Who the credentials belong to: enough to tell a wrong or mismatched key at once. */
export interface KioskIdentity {
  /** ADMIN, DEVICE or SEARCH. */
  role: string;
  tenantName: string;
}

export interface KioskApi {
  /** The `viewer` of the credentials; UNAUTHENTICATED when the key or token is wrong, revoked or expired. */
  identity(): Promise<KioskIdentity>;
  uploadBlob(image: Blob): Promise<UploadedBlob>;
  ingestFrame(request: IngestFrameRequest): Promise<{ imageId: string }>;
  /** Several frames in one request and one transaction (at most 32; all or none), answered in order. */
  ingestFrames(requests: IngestFrameRequest[]): Promise<{ imageId: string }[]>;
  searchPerson(request: SearchRequest): Promise<SearchResult>;
  activeStudent(): Promise<StudentModelLocation>;
  /** GET /healthz without the key: true when the server answers 2xx (the upload circuit's probe). */
  healthy(): Promise<boolean>;
  /** Fetches a tenant-checked image with the key and returns an object URL for <img>. */
  imageObjectUrl(url: string): Promise<string>;
}
