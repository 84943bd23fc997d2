// What services are built from: long-lived dependencies only (no tenant data).
import type { Database } from '@person-search/db';
import type { BlobStore } from '../blobs/blob-store.js';
import type { UrlSigner } from '../blobs/signed-urls.js';
import type { Config } from '../config.js';
import type { ModelRegistry } from '../inference/model-registry.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';

export interface ServiceDeps {
  config: Config;
  db: Database;
  blobs: BlobStore;
  signer: UrlSigner;
  models: ModelRegistry;
  log: Logger;
  metrics: Metrics;
  /** Called after new detections await teacher embeddings (wakes an idle in-process worker). */
  onTeacherWork?: () => void;
}
