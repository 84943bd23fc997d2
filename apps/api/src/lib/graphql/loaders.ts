// One DataLoader set per request: nested lookups (a hit's gallery and image,
// an image's detections) are batched into one tenant-scoped query per kind.
import type { Database } from '@person-search/db';
import type { DetectionParent, GalleryParent, ImageParent } from '@person-search/schema';
import DataLoader from 'dataloader';
import type { KeyPrincipal } from '../auth/principal.js';
import { detectionsOfImages } from '../repositories/detections-repository.js';
import { findGalleries } from '../repositories/galleries-repository.js';
import { findImages } from '../repositories/images-repository.js';
import { toDetectionParent, toImageParent } from '../services/frame-mapping.js';
import { toGalleryParent } from '../services/gallery-service.js';

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

export function createLoaders(db: Database, actor: KeyPrincipal) {
  const { tenantId } = actor;
  return {
    gallery: new DataLoader<string, GalleryParent | null>(async (ids) => {
      const rows = await db.withTenant(tenantId, (tx) => findGalleries(tx, tenantId, ids));
      return byKey(ids, rows.map(toGalleryParent), (row) => row.id);
    }),
    image: new DataLoader<string, ImageParent | null>(async (ids) => {
      const rows = await db.withTenant(tenantId, (tx) => findImages(tx, tenantId, ids));
      return byKey(ids, rows.map(toImageParent), (row) => row.id);
    }),
    detectionsOfImage: new DataLoader<string, DetectionParent[]>(async (imageIds) => {
      const rows = await db.withTenant(tenantId, (tx) => detectionsOfImages(tx, tenantId, imageIds));
      return imageIds.map((imageId) => rows.filter((row) => row.imageId === imageId).map(toDetectionParent));
    }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
