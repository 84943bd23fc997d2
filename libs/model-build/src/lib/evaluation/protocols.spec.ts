import { describe, expect, it } from 'vitest';
import { cuhk03Split, parseCuhk03FileName } from './cuhk03-protocol.js';
import { groundTruthForFrame, motReidSplit, parseMotGroundTruth } from './mot-ground-truth.js';
import { hsvStripeHistogram, rgbToHsv } from './hsv-histogram.js';

describe('CUHK03 split', () => {
  it('puts shots 00-04 in the query camera and 05-09 in the gallery camera', () => {
    expect(parseCuhk03FileName('0042_04.jpg')).toEqual({ fileName: '0042_04.jpg', identity: '0042', camera: 'A' });
    expect(parseCuhk03FileName('0042_05.jpg')?.camera).toBe('B');
    expect(parseCuhk03FileName('README.md')).toBeUndefined();
    const split = cuhk03Split(['0001_07.jpg', '0001_00.jpg', '0000_09.jpg', 'SOURCE.md']);
    expect(split.queries.map((entry) => entry.fileName)).toEqual(['0001_00.jpg']);
    expect(split.gallery.map((entry) => entry.fileName)).toEqual(['0000_09.jpg', '0001_07.jpg']);
  });
});

describe('MOT17 ground truth', () => {
  const text = [
    '1,1,11,21,10,20,1,1,0.9', // positive
    '1,2,101,1,10,20,1,1,0.1', // pedestrian, too occluded: ignore
    '1,3,201,1,10,20,0,1,1.0', // consider = 0: ignore
    '1,4,301,1,10,20,1,7,1.0', // static person: ignore
    '2,1,12,21,10,20,1,1,0.8',
    '',
  ].join('\n');

  it('converts 1-based x, y, w, h to 0-based corners', () => {
    const rows = parseMotGroundTruth(text);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ frame: 1, identity: 1, box: { x1: 10, y1: 20, x2: 20, y2: 40 }, consider: true, classId: 1, visibility: 0.9 });
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseMotGroundTruth('1,2,3')).toThrow(/line 1/);
  });

  it('splits positives from ignore regions', () => {
    const { positives, ignored } = groundTruthForFrame(parseMotGroundTruth(text), 1);
    expect(positives).toHaveLength(1);
    expect(ignored.map((box) => box.x1)).toEqual([100, 200, 300]);
  });

  it('queries the first frame and galleries the later ones', () => {
    const split = motReidSplit([{ sequence: 'S', rows: parseMotGroundTruth(text) }]);
    expect(split.queries.map((crop) => [crop.label, crop.frame])).toEqual([['S/1', 1]]);
    expect(split.gallery.map((crop) => [crop.label, crop.frame])).toEqual([['S/1', 2]]);
  });
});

describe('HSV stripe histogram baseline', () => {
  it('converts primaries to hue fractions', () => {
    expect(rgbToHsv(255, 0, 0)).toEqual([0, 1, 1]);
    expect(rgbToHsv(0, 255, 0)[0]).toBeCloseTo(1 / 3, 12);
    expect(rgbToHsv(0, 0, 255)[0]).toBeCloseTo(2 / 3, 12);
    expect(rgbToHsv(0, 0, 0)).toEqual([0, 0, 0]);
  });

  it('gives each stripe a unit-L2 (square-rooted L1) histogram', () => {
    // 2 x 6 image: top half red, bottom half blue
    const data = new Uint8Array(2 * 6 * 3);
    for (let pixel = 0; pixel < 12; pixel++) data.set(pixel < 6 ? [255, 0, 0] : [0, 0, 255], pixel * 3);
    const histogram = hsvStripeHistogram({ data, width: 2, height: 6, channels: 3 });
    expect(histogram).toHaveLength(6 * 256);
    // red: hue bin 0, saturation bin 3, value bin 3 → bin 15; blue: hue bin 10 → bin 175
    expect(histogram[15]).toBe(1);
    expect(histogram[5 * 256 + 175]).toBe(1);
    expect(histogram.reduce((sum, value) => sum + value, 0)).toBe(6);
  });
});
