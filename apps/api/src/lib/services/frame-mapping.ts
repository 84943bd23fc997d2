// Database rows → resolver parents (see @person-search/schema parents.ts).
import type { Detection, Image } from '@person-search/db';
import type { DetectionParent, GalleryParent, ImageParent, TeacherStatusValue } from '@person-search/schema';
import type { DetectionWithFrameRow } from '../repositories/detections-repository.js';

export function toImageParent(image: Image): ImageParent {
  return { id: image.id, galleryId: image.galleryId, capturedAt: image.capturedAt, width: image.width, height: image.height };
}

/** The detection columns a resolver parent needs (a Prisma row, or a search hit's joined row). */
type DetectionColumns = Pick<Detection, 'id' | 'imageId' | 'galleryId' | 'x1' | 'y1' | 'x2' | 'y2' | 'score' | 'capturedAt' | 'studentModelId' | 'teacherStatus'>;

export function toDetectionParent(detection: DetectionColumns): DetectionParent {
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
    detection: toDetectionParent(row),
    image: { id: row.imageId, galleryId: row.galleryId, capturedAt: row.imageCapturedAt, width: row.imageWidth, height: row.imageHeight },
    gallery: { id: row.galleryId, name: row.galleryName, retentionDays: row.galleryRetentionDays, createdAt: row.galleryCreatedAt },
  };
}
