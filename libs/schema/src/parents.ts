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

/** The caller's role and tenant; its API key or enrolled device is loaded only when asked for. */
export interface ViewerParent {
  role: 'ADMIN' | 'DEVICE' | 'SEARCH';
  tenant: { id: string; name: string; createdAt: Date };
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
