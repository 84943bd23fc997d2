import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../api/kiosk-api.js';
import { CALIBRATION, collapseSightings, groupResults, likelyThreshold, scoreScale, TEACHER_SCALES } from './result-groups.js';

let next = 0;
function hit(score: number, overrides: Partial<SearchHit> = {}): SearchHit {
  next += 1;
  return {
    rank: next,
    score,
    teacherScore: score,
    detectionId: `d${next}`,
    box: { x1: 100, y1: 100, x2: 200, y2: 400 },
    capturedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + next * 60_000).toISOString(),
    galleryId: 'g1',
    galleryName: 'door',
    imageUrl: '',
    imageWidth: 1280,
    imageHeight: 720,
    cropUrl: '',
    ...overrides,
  };
}

describe('likelyThreshold', () => {
  it('sits clearly above the bulk of the scores (other people at 82-87 %)', () => {
    const strangers = [0.82, 0.83, 0.84, 0.84, 0.85, 0.85, 0.86, 0.86, 0.87, 0.83, 0.84, 0.85];
    const threshold = likelyThreshold([0.97, 0.96, ...strangers], CALIBRATION);
    expect(threshold).toBeGreaterThan(0.87);
    expect(threshold).toBeLessThan(0.96);
  });

  it('never drops below the floor, and needs a sure score when there are too few hits to know the bulk', () => {
    expect(likelyThreshold([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.51])).toBe(0.88);
    expect(likelyThreshold([0.9, 0.86])).toBe(0.95);
    // Scores spread wide (a small mixed gallery): the outlier line would pass 1; a sure score still counts.
    expect(likelyThreshold([0.8, 0.79, 0.67, 0.58, 0.53, 0.53, 0.43, 0.35, 0.33])).toBe(0.95);
  });
});

describe('groupResults', () => {
  it('puts only the outliers in "likely" and everyone else in "others"', () => {
    const hits = [hit(0.97, { galleryId: 'a' }), ...[0.87, 0.86, 0.86, 0.85, 0.84, 0.84, 0.83, 0.82].map((score) => hit(score, { galleryId: `g${score}` }))];
    const grouped = groupResults(hits);
    expect(grouped.likely.map((sighting) => sighting.hit.score)).toEqual([0.97]);
    expect(grouped.others).toHaveLength(8);
  });

  it('says nobody is likely when all scores are one bulk', () => {
    const hits = [0.87, 0.87, 0.86, 0.86, 0.85, 0.85, 0.84, 0.84].map((score, index) => hit(score, { galleryId: `g${index}` }));
    expect(groupResults(hits).likely).toEqual([]);
  });
});

describe('scoreScale', () => {
  it("uses the re-ranking teacher's measured scale, and the highest known one otherwise", () => {
    const reranked = [hit(0.7), hit(0.2)];
    expect(scoreScale(reranked, 'default-teacher')).toEqual(TEACHER_SCALES['default-teacher']);
    expect(scoreScale(reranked, 'colour-teacher')).toEqual(TEACHER_SCALES['colour-teacher']);
    expect(scoreScale(reranked, 'someone-elses-teacher').floor).toBe(0.88);
    expect(scoreScale(reranked, null).floor).toBe(0.88);
    // Student scores (a hit the server did not re-rank) are not on the teacher's scale.
    expect(scoreScale([hit(0.7), hit(0.2, { teacherScore: null })], 'default-teacher').floor).toBe(0.88);
  });

  it('finds the learned teacher\'s same person among strangers at 0-45 %, where the colour floor would find nobody', () => {
    const strangers = [0.44, 0.43, 0.36, 0.33, 0.31, 0.3, 0.29, 0.28, 0.27, 0.26, 0.25, 0.22, 0.17, 0.16, 0.15, 0.13, 0.12, 0.11, 0.1, 0.08];
    const hits = [hit(0.8), ...strangers.map((score, index) => hit(score, { galleryId: `g${index}` }))];
    expect(groupResults(hits).likely).toEqual([]);
    const grouped = groupResults(hits, 'default-teacher');
    expect(grouped.likely.map((sighting) => sighting.hit.score)).toEqual([0.8]);
    expect(grouped.threshold).toBeGreaterThanOrEqual(TEACHER_SCALES['default-teacher']!.floor);
    expect(grouped.threshold).toBeLessThan(0.8);
    // A gallery without the person: the best stranger stays below the learned teacher's floor.
    expect(groupResults(strangers.map((score, index) => hit(score, { galleryId: `h${index}` })), 'default-teacher').likely).toEqual([]);
  });
});

describe('collapseSightings', () => {
  it('folds near-identical frames of one camera into the best one', () => {
    const start = Date.UTC(2026, 0, 1, 12, 0, 0);
    const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
    const hits = [
      hit(0.96, { capturedAt: at(0) }),
      hit(0.955, { capturedAt: at(2), box: { x1: 104, y1: 100, x2: 204, y2: 402 } }),
      hit(0.95, { capturedAt: at(4) }),
      // Same camera but much later: another sighting.
      hit(0.95, { capturedAt: at(120) }),
      // Same moment, another camera.
      hit(0.95, { capturedAt: at(1), galleryId: 'g2' }),
      // Same camera and moment, but elsewhere in the picture (another person).
      hit(0.95, { capturedAt: at(1), box: { x1: 600, y1: 100, x2: 700, y2: 400 } }),
    ];
    const sightings = collapseSightings(hits);
    expect(sightings).toHaveLength(4);
    expect(sightings[0]!.hit.score).toBe(0.96);
    expect(sightings[0]!.similar.map((similar) => similar.score)).toEqual([0.955, 0.95]);
  });
});
