// Person-search evaluation sets in one shape: images with their labelled people,
// queries (a person in a query image) and, per query, the gallery to search.
// Readers: the project's JSON format, and MOT17-style sequences (frames with
// gt/gt.txt). The layouts are documented in apps/api/README.md ("Evaluation").
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvalBox, QueryGallery } from './person-search-protocol.js';

export interface EvalImage {
  id: string;
  /** Absolute path of the image file. */
  file: string;
  /** Labelled people; identity null = a person without an identity (never a target, still a distractor). */
  people: { identity: number | null; box: EvalBox }[];
  /** false: a query-only image, in no gallery by default. */
  gallery: boolean;
}

export interface EvalQuery {
  id: string;
  imageId: string;
  identity: number;
  box: EvalBox;
  /** Gallery image ids (CUHK-SYSU's per-query galleries); default: every gallery image but the query's own. */
  gallery?: string[];
}

export interface PersonSearchDataset {
  name: string;
  images: EvalImage[];
  queries: EvalQuery[];
}

/** The gallery of one query in protocol form. */
export function galleryOf(dataset: PersonSearchDataset, query: EvalQuery): QueryGallery {
  const byId = new Map(dataset.images.map((image) => [image.id, image]));
  const imageIds = (query.gallery ?? dataset.images.filter((image) => image.gallery).map((image) => image.id)).filter((id) => id !== query.imageId && byId.has(id));
  const targetBoxes = new Map<string, EvalBox>();
  for (const id of imageIds) {
    const person = byId.get(id)!.people.find((p) => p.identity === query.identity);
    if (person) targetBoxes.set(id, person.box);
  }
  return { imageIds, targetBoxes };
}

type JsonBox = [number, number, number, number];
interface JsonDataset {
  name?: string;
  images: { id: string; file: string; gallery?: boolean; people?: { identity?: number | null; box: JsonBox }[] }[];
  queries: { id?: string; imageId: string; identity: number; box: JsonBox; gallery?: string[] }[];
}

const toBox = ([x1, y1, x2, y2]: JsonBox): EvalBox => ({ x1, y1, x2, y2 });

/**
 * The JSON format: `{ name?, images: [{ id, file (relative to the JSON file), gallery? = true,
 * people: [{ identity (null: unlabelled), box: [x1, y1, x2, y2] }] }], queries: [{ id?, imageId,
 * identity, box, gallery?: [imageId…] }] }`.
 */
export async function readJsonDataset(file: string): Promise<PersonSearchDataset> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as JsonDataset;
  if (!Array.isArray(parsed.images) || !Array.isArray(parsed.queries)) throw new Error(`${file}: expected { images: [...], queries: [...] }`);
  const root = path.dirname(path.resolve(file));
  const images = parsed.images.map((image) => ({
    id: String(image.id),
    file: path.resolve(root, image.file),
    gallery: image.gallery !== false,
    people: (image.people ?? []).map((person) => ({ identity: person.identity ?? null, box: toBox(person.box) })),
  }));
  const ids = new Set(images.map((image) => image.id));
  const queries = parsed.queries.map((query, index) => {
    if (!ids.has(String(query.imageId))) throw new Error(`${file}: queries[${index}].imageId ${query.imageId} is not an image`);
    return { id: query.id ?? `q${index}`, imageId: String(query.imageId), identity: query.identity, box: toBox(query.box), ...(query.gallery ? { gallery: query.gallery.map(String) } : {}) };
  });
  return { name: parsed.name ?? path.basename(file, '.json'), images, queries };
}

export interface MotOptions {
  /** Queries taken from each sequence's first frame (largest visible people first). */
  queriesPerSequence?: number;
  /** Frames per sequence after the query frame that join the gallery. */
  galleryFrames?: number;
  /** Smallest query person height in pixels, and its least visibility. */
  minQueryHeight?: number;
  minVisibility?: number;
}

/**
 * MOT17 layout: `<dir>/<sequence>/img1/NNNNNN.jpg` and `<dir>/<sequence>/gt/gt.txt`
 * (`frame,id,x,y,w,h,mark,class,visibility`). Pedestrians (class 1, mark 1) carry their
 * sequence-scoped identity; static people and people on vehicles (classes 2, 7) are unlabelled
 * people. Each sequence's first frame is the query image; the next frames of every sequence form
 * one gallery (other sequences are distractors).
 */
export async function readMotDataset(dir: string, options: MotOptions = {}): Promise<PersonSearchDataset> {
  const { queriesPerSequence = 10, galleryFrames = 3, minQueryHeight = 60, minVisibility = 0.6 } = options;
  const images: EvalImage[] = [];
  const queries: EvalQuery[] = [];
  const sequences = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const [sequenceIndex, sequence] of sequences.entries()) {
    const frames = (await readdir(path.join(dir, sequence, 'img1'))).filter((name) => /^\d+\.jpg$/.test(name)).sort().slice(0, 1 + galleryFrames);
    const rows = (await readFile(path.join(dir, sequence, 'gt/gt.txt'), 'utf8')).trim().split('\n').map((line) => line.split(',').map(Number));
    // Identities are per sequence in MOT: offset them so sequences never share one.
    const identityBase = (sequenceIndex + 1) * 100_000;
    for (const [frameIndex, name] of frames.entries()) {
      const frame = Number.parseInt(name, 10);
      const people: EvalImage['people'] = [];
      const candidates: { identity: number; box: EvalBox; height: number }[] = [];
      for (const [f, id, x, y, w, h, mark, cls, visibility] of rows) {
        if (f !== frame || ![1, 2, 7].includes(cls!)) continue;
        const box = { x1: x! - 1, y1: y! - 1, x2: x! - 1 + w!, y2: y! - 1 + h! };
        const labelled = cls === 1 && mark === 1;
        people.push({ identity: labelled ? identityBase + id! : null, box });
        if (labelled && h! >= minQueryHeight && visibility! >= minVisibility) candidates.push({ identity: identityBase + id!, box, height: h! });
      }
      const id = `${sequence}/${name}`;
      images.push({ id, file: path.join(dir, sequence, 'img1', name), people, gallery: frameIndex > 0 });
      if (frameIndex === 0) {
        candidates.sort((a, b) => b.height - a.height);
        for (const candidate of candidates.slice(0, queriesPerSequence)) queries.push({ id: `${id}#${candidate.identity}`, imageId: id, identity: candidate.identity, box: candidate.box });
      }
    }
  }
  return { name: `MOT (${path.basename(path.dirname(dir))}/${path.basename(dir)})`, images, queries };
}
