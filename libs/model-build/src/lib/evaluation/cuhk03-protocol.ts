/**
 * CUHK03 cross-camera split (the SOURCE.md of the shared cuhk03 data set): files are
 * `IIII_KK.jpg`, KK 00-04 = camera A (queries), 05-09 = camera B (gallery).
 */

export interface Cuhk03Entry {
  fileName: string;
  identity: string;
  camera: 'A' | 'B';
}

const FILE_NAME = /^(\d{4})_(\d{2})\.(jpg|jpeg|png)$/i;

/** Parses a CUHK03 file name; returns undefined for files that are not crops. */
export function parseCuhk03FileName(fileName: string): Cuhk03Entry | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) return undefined;
  const shot = Number(match[2]);
  return { fileName, identity: match[1]!, camera: shot <= 4 ? 'A' : 'B' };
}

/** Queries = camera A, gallery = camera B, both sorted by file name. */
export function cuhk03Split(fileNames: readonly string[]): { queries: Cuhk03Entry[]; gallery: Cuhk03Entry[] } {
  const entries = [...fileNames]
    .sort()
    .map(parseCuhk03FileName)
    .filter((entry): entry is Cuhk03Entry => entry !== undefined);
  return {
    queries: entries.filter((entry) => entry.camera === 'A'),
    gallery: entries.filter((entry) => entry.camera === 'B'),
  };
}
