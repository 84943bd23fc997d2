// Database rows → resolver parents (see @person-search/schema parents.ts).
import type { Detection, Image } from '@person-search/db';
import type { DetectionParent, GalleryParent, ImageParent, TeacherStatusValue } from '@person-search/schema';
import type { DetectionWithFrameRow } from '../repositories/detections-repository.js';

export function toImageParent(image: Image): ImageParent {
  return { id: image.id, galleryId: image.galleryId, capturedAt: image.capturedAt, width: image.width, height: image.height };
}

export function toDetectionParent(detection: Detection): DetectionParent {
  return {
    id: detection.id,
    imageId: detection.imageId,
    galleryId: detection.galleryId,
    box: { x1: detection.x1, y1: detection.y1, x2: detection.x2, y2: detection.y2 },
    score: detection.score,
    capturedAt: detection.capturedAt,
    studentModelId: detection.studentModelId,
    teacherStatus: detection.teacherStatus.toUpperCase() as TeacherStatusValue,
  };
}

/** A search hit's row (detections-repository findDetectionsWithFrames) → its detection, image and gallery parents. */
export function toHitParents(row: DetectionWithFrameRow): { detection: DetectionParent; image: ImageParent; gallery: GalleryParent } {
  return {
    detection: {
      id: row.id,
      imageId: row.imageId,
      galleryId: row.galleryId,
      box: { x1: row.x1, y1: row.y1, x2: row.x2, y2: row.y2 },
      score: row.score,
      capturedAt: row.capturedAt,
      studentModelId: row.studentModelId,
      teacherStatus: row.teacherStatus.toUpperCase() as TeacherStatusValue,
    },
    image: { id: row.imageId, galleryId: row.galleryId, capturedAt: row.imageCapturedAt, width: row.imageWidth, height: row.imageHeight },
    gallery: { id: row.galleryId, name: row.galleryName, retentionDays: row.galleryRetentionDays, createdAt: row.galleryCreatedAt },
  };
}
