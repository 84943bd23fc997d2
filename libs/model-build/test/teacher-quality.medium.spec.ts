/**
 * The default teacher must beat the colour-histogram baseline on real
 * cross-camera crops (CUHK03 val, first 50 identities), through the same
 * runtime the apps use. Skips with the reason when ../shared is absent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadTeacher, type Teacher } from '@person-search/model/node';
import { freshTeacherDir } from '../bench/model-packages.js';
import { cuhk03Metrics, hsvHistogramEmbedder } from '../bench/reid-bench.js';
import { cuhk03ValDir, loadCuhk03Val, missingReason } from '../bench/shared-data.js';

const skip = missingReason(cuhk03ValDir);
if (skip) console.warn(`teacher quality: skipped: ${skip}`);

describe.skipIf(skip !== undefined)('default teacher on CUHK03 val (50 identities)', () => {
  let teacher: Teacher | undefined;
  afterAll(() => teacher?.release());

  it('beats the 6-stripe HSV histogram on mAP and top-1', async () => {
    const data = await loadCuhk03Val(50);
    teacher = await loadTeacher(await freshTeacherDir(), { intraOpThreads: 1 });
    const loaded = teacher;
    const teacherMetrics = await cuhk03Metrics(data, (image, boxes) => loaded.embedCrops(image, boxes));
    const baseline = await cuhk03Metrics(data, hsvHistogramEmbedder);
    console.log(`teacher ${JSON.stringify(teacherMetrics)} vs histogram ${JSON.stringify(baseline)}`);
    expect(teacherMetrics.evaluatedQueries).toBe(baseline.evaluatedQueries);
    expect(teacherMetrics.meanAveragePrecision).toBeGreaterThan(baseline.meanAveragePrecision + 0.02);
    expect(teacherMetrics.top1).toBeGreaterThan(baseline.top1);
  });
});
