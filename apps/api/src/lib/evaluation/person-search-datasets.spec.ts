// The JSON evaluation format: paths resolve against the file, unlabelled people
// and query-only images are kept apart, per-query galleries are honoured and a
// query's own image never joins its gallery; MOT-style sequences read from a
// small generated folder.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { galleryOf, readJsonDataset, readMotDataset } from './person-search-datasets.js';

describe('person-search datasets', () => {
  it('reads the JSON format and builds each query’s gallery', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-json-'));
    const file = path.join(dir, 'set.json');
    await writeFile(file, JSON.stringify({
      name: 'tiny',
      images: [
        { id: 'q', file: 'frames/q.jpg', gallery: false, people: [{ identity: 7, box: [0, 0, 10, 20] }] },
        { id: 'g1', file: 'frames/g1.jpg', people: [{ identity: 7, box: [5, 5, 15, 25] }, { identity: null, box: [30, 0, 40, 20] }] },
        { id: 'g2', file: 'frames/g2.jpg', people: [{ identity: 8, box: [0, 0, 10, 20] }] },
      ],
      queries: [{ imageId: 'q', identity: 7, box: [0, 0, 10, 20] }, { id: 'only-g2', imageId: 'g1', identity: 7, box: [5, 5, 15, 25], gallery: ['g1', 'g2'] }],
    }));
    const dataset = await readJsonDataset(file);
    expect(dataset.name).toBe('tiny');
    expect(dataset.images[0]).toEqual({ id: 'q', file: path.join(dir, 'frames/q.jpg'), gallery: false, people: [{ identity: 7, box: { x1: 0, y1: 0, x2: 10, y2: 20 } }] });
    expect(dataset.images[1]!.people[1]!.identity).toBeNull();
    const first = galleryOf(dataset, dataset.queries[0]!);
    expect(first.imageIds).toEqual(['g1', 'g2']);
    expect([...first.targetBoxes]).toEqual([['g1', { x1: 5, y1: 5, x2: 15, y2: 25 }]]);
    // An explicit gallery, minus the query's own image.
    const second = galleryOf(dataset, dataset.queries[1]!);
    expect(second.imageIds).toEqual(['g2']);
    expect(second.targetBoxes.size).toBe(0);
    await writeFile(file, JSON.stringify({ images: [], queries: [{ imageId: 'nope', identity: 1, box: [0, 0, 1, 1] }] }));
    await expect(readJsonDataset(file)).rejects.toThrow(/queries\[0\]\.imageId nope is not an image/);
  });

  it('reads MOT sequences: first frame queries, later frames one gallery, identities per sequence', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-mot-'));
    for (const sequence of ['SEQ-A', 'SEQ-B']) {
      await mkdir(path.join(dir, sequence, 'img1'), { recursive: true });
      await mkdir(path.join(dir, sequence, 'gt'), { recursive: true });
      for (const frame of ['000001.jpg', '000002.jpg']) await writeFile(path.join(dir, sequence, 'img1', frame), '');
      // frame,id,x,y,w,h,mark,class,visibility: a tall pedestrian, a static person (class 7), a car (class 3).
      await writeFile(path.join(dir, sequence, 'gt/gt.txt'), ['1,1,11,21,40,100,1,1,0.9', '2,1,13,21,40,100,1,1,0.9', '1,2,100,20,30,80,0,7,1', '1,3,200,20,30,80,0,3,1'].join('\n'));
    }
    const dataset = await readMotDataset(dir, { galleryFrames: 1 });
    expect(dataset.images.map((image) => [image.id, image.gallery])).toEqual([['SEQ-A/000001.jpg', false], ['SEQ-A/000002.jpg', true], ['SEQ-B/000001.jpg', false], ['SEQ-B/000002.jpg', true]]);
    expect(dataset.images[0]!.people).toEqual([{ identity: 100_001, box: { x1: 10, y1: 20, x2: 50, y2: 120 } }, { identity: null, box: { x1: 99, y1: 19, x2: 129, y2: 99 } }]);
    expect(dataset.queries.map((query) => query.identity)).toEqual([100_001, 200_001]);
    // Sequence A's person is a target only in sequence A's gallery frame.
    expect([...galleryOf(dataset, dataset.queries[0]!).targetBoxes.keys()]).toEqual(['SEQ-A/000002.jpg']);
  });
});
