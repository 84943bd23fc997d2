// What a resolver receives as `parent` for object types that link to other
// objects: the stored scalar fields plus the ids of the linked rows. Field
// resolvers load the linked objects (through the per-request DataLoaders), so a
// repository never has to build nested GraphQL shapes.

export type TeacherStatusValue = 'PENDING' | 'DONE' | 'FAILED';

export interface BoxValue {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface GalleryParent {
  id: string;
  name: string;
  retentionDays: number | null;
  createdAt: Date;
}

export interface ImageParent {
  id: string;
  galleryId: string;
  capturedAt: Date;
  width: number;
  height: number;
}

export interface DetectionParent {
  id: string;
  imageId: string;
  galleryId: string;
  box: BoxValue;
  score: number;
  capturedAt: Date;
  studentModelId: string;
  teacherStatus: TeacherStatusValue;
}
