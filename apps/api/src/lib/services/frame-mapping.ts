// Database rows → resolver parents (see @person-search/schema parents.ts).
import type { Detection, Image } from '@person-search/db';
import type { DetectionParent, ImageParent, TeacherStatusValue } from '@person-search/schema';

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
