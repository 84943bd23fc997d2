// Stage 1's plan choice (pure): when the exact scan runs, and how wide HNSW searches.
import { describe, expect, it } from 'vitest';
import { admittedRowCountCap, chooseAnnPlan, EXACT_SCAN_MAX_FILTERED_ROWS, EXACT_SCAN_MAX_ROWS, exactScanSlices, hasNarrowingFilter, hasTimeWindow, mergeCandidates, type TimeSlice } from './detections-repository.js';

describe('stage-1 plan choice', () => {
  it('counts a gallery/time filter up to 15 % of the index (at least 10k, at most 250k)', () => {
    const filtered = { narrowed: true, limit: 200 };
    expect(admittedRowCountCap(1_000_000, filtered)).toBe(150_000);
    expect(admittedRowCountCap(2_000_000, filtered)).toBe(EXACT_SCAN_MAX_FILTERED_ROWS);
    expect(admittedRowCountCap(200_000, filtered)).toBe(30_000);
    expect(admittedRowCountCap(50_000, filtered)).toBe(EXACT_SCAN_MAX_ROWS);
    expect(admittedRowCountCap(20_000_000, filtered)).toBe(EXACT_SCAN_MAX_FILTERED_ROWS);
    // Never analysed (reltuples unknown): 10k.
    expect(admittedRowCountCap(0, filtered)).toBe(EXACT_SCAN_MAX_ROWS);
    expect(admittedRowCountCap(1000, filtered, { exactMaxRows: 5, exactMaxFilteredShare: 0.5 })).toBe(500);
  });

  it('counts the tenant alone up to the share at which HNSW would starve the pool (2 × pool / 20,000 tuples)', () => {
    const tenant = { narrowed: false, limit: 200 };
    // 2M rows in the index: 2 % is 40k — a 25k-row tenant (1.2 %) goes exact, a 100k-row one (5 %) to HNSW.
    expect(admittedRowCountCap(2_000_000, tenant)).toBe(40_000);
    expect(chooseAnnPlan({ limit: 200, admittedRows: 25_000, cap: 40_000 }).plan).toBe('exact');
    expect(chooseAnnPlan({ limit: 200, admittedRows: 40_001, cap: 40_000 }).plan).toBe('hnsw');
    expect(admittedRowCountCap(200_000, tenant)).toBe(EXACT_SCAN_MAX_ROWS);
    expect(admittedRowCountCap(0, tenant)).toBe(EXACT_SCAN_MAX_ROWS);
    // A wider pool starves sooner, up to the filtered share; the 250k ceiling holds.
    expect(admittedRowCountCap(2_000_000, { narrowed: false, limit: 1000 })).toBe(200_000);
    expect(admittedRowCountCap(1_000_000, { narrowed: false, limit: 5000 })).toBe(150_000);
    expect(admittedRowCountCap(20_000_000, tenant)).toBe(EXACT_SCAN_MAX_FILTERED_ROWS);
  });

  it('runs the exact scan while the count stays within its cap', () => {
    // 1M rows/tenant, 2 tenants: 10 days (100k rows, 5 % of the index) ⇒ exact, as measured (134 ms, recall 1.00 vs HNSW 0.35).
    const cap = admittedRowCountCap(2_000_000, { narrowed: true, limit: 200 });
    expect(chooseAnnPlan({ limit: 200, admittedRows: 100_000, cap }).plan).toBe('exact');
    // The same tenant in a partition of its own: 10 days are 10 % of its graph ⇒ still exact (HNSW measured at min recall 0.50 there).
    const ownCap = admittedRowCountCap(1_000_000, { narrowed: true, limit: 200 });
    expect(chooseAnnPlan({ limit: 200, admittedRows: 100_001, cap: ownCap }).plan).toBe('exact');
    // One gallery there (333k rows, 33 %) ⇒ HNSW (min recall 0.90 in 16 ms against 504 ms exact).
    expect(chooseAnnPlan({ limit: 200, admittedRows: ownCap + 1, cap: ownCap }).plan).toBe('hnsw');
    expect(chooseAnnPlan({ limit: 200, admittedRows: cap, cap }).plan).toBe('exact');
    expect(chooseAnnPlan({ limit: 200, admittedRows: 10_000, cap: 10_000 }).plan).toBe('exact');
  });

  it('runs HNSW above the cap at the pool’s breadth, filtered or not (widening measured to buy no recall)', () => {
    // One gallery at 1M/tenant: the count stops at 200,001 of 2M ⇒ HNSW, ef_search = the pool.
    expect(chooseAnnPlan({ limit: 200, admittedRows: 200_001, cap: 200_000 })).toEqual({ plan: 'hnsw', efSearch: 200 });
    expect(chooseAnnPlan({ limit: 200, admittedRows: 10_001, cap: 10_000 })).toEqual({ plan: 'hnsw', efSearch: 200 });
    // Small pools still search at least 40 wide (pgvector's default); pgvector's ceiling is 1000.
    expect(chooseAnnPlan({ limit: 10, admittedRows: 10_001, cap: 10_000 })).toEqual({ plan: 'hnsw', efSearch: 40 });
    expect(chooseAnnPlan({ limit: 5000, admittedRows: 10_001, cap: 10_000 })).toEqual({ plan: 'hnsw', efSearch: 1000 });
  });

  it('treats gallery and time bounds as narrowing, and only time bounds as a window (a remembered plan is never reused under one)', () => {
    const none = { galleryIds: null, capturedAfter: null, capturedBefore: null };
    expect(hasNarrowingFilter(none)).toBe(false);
    expect(hasNarrowingFilter({ ...none, galleryIds: ['g'] })).toBe(true);
    expect(hasNarrowingFilter({ ...none, capturedAfter: new Date(0) })).toBe(true);
    expect(hasNarrowingFilter({ ...none, capturedBefore: new Date(0) })).toBe(true);
    const oneGallery = { ...none, galleryIds: ['g'] };
    expect(hasTimeWindow(oneGallery)).toBe(false);
    expect(hasTimeWindow(none)).toBe(false);
    expect(hasTimeWindow({ ...none, capturedAfter: new Date(0) })).toBe(true);
    expect(hasTimeWindow({ ...none, capturedBefore: new Date(0) })).toBe(true);
  });
});

describe('a split exact scan', () => {
  const day = 86_400_000;
  const earliest = new Date(Date.UTC(2026, 1, 5));
  const latest = new Date(earliest.getTime() + 9 * day);
  /** Which slices hold the instant `t` (exactly one, for a partition of time). */
  const holders = (slices: TimeSlice[], t: number) => slices.filter((slice) => (slice.from === null || t >= slice.from.getTime()) && (slice.before === null || t < slice.before.getTime())).length;

  it('cuts the admitted rows’ time span into equal slices that cover every instant exactly once', () => {
    const slices = exactScanSlices({ admittedRows: 100_000, earliest, latest, maxParts: 2, minRowsPerPart: 10_000 });
    expect(slices).toEqual([
      { from: null, before: new Date(earliest.getTime() + 4.5 * day) },
      { from: new Date(earliest.getTime() + 4.5 * day), before: null },
    ]);
    const three = exactScanSlices({ admittedRows: 100_000, earliest, latest, maxParts: 3, minRowsPerPart: 10_000 });
    expect(three).toHaveLength(3);
    for (const t of [earliest.getTime() - day, earliest.getTime(), earliest.getTime() + 3 * day - 1, earliest.getTime() + 3 * day, earliest.getTime() + 6 * day, latest.getTime(), latest.getTime() + day]) {
      expect(holders(three, t), new Date(t).toISOString()).toBe(1);
    }
  });

  it('keeps one unsliced scan when it is too small to gain, no connection is free, or the rows share one millisecond', () => {
    const whole = [{ from: null, before: null }];
    // 19,999 rows: two parts would hold under 10k each (measured: 10k rows take 3.3 ms either way).
    expect(exactScanSlices({ admittedRows: 19_999, earliest, latest, maxParts: 2, minRowsPerPart: 10_000 })).toEqual(whole);
    expect(exactScanSlices({ admittedRows: 20_000, earliest, latest, maxParts: 2, minRowsPerPart: 10_000 })).toHaveLength(2);
    expect(exactScanSlices({ admittedRows: 30_000, earliest, latest, maxParts: 8, minRowsPerPart: 10_000 })).toHaveLength(3);
    expect(exactScanSlices({ admittedRows: 100_000, earliest, latest, maxParts: 1, minRowsPerPart: 10_000 })).toEqual(whole);
    expect(exactScanSlices({ admittedRows: 100_000, earliest: latest, latest, maxParts: 2, minRowsPerPart: 10_000 })).toEqual(whole);
    expect(exactScanSlices({ admittedRows: 0, earliest: null, latest: null, maxParts: 2, minRowsPerPart: 10_000 })).toEqual(whole);
    // Two milliseconds apart: at most two slices, each a millisecond wide.
    const narrow = exactScanSlices({ admittedRows: 100_000, earliest, latest: new Date(earliest.getTime() + 2), maxParts: 4, minRowsPerPart: 10_000 });
    expect(narrow).toEqual([{ from: null, before: new Date(earliest.getTime() + 1) }, { from: new Date(earliest.getTime() + 1), before: null }]);
  });

  it('merges the parts into the single scan’s order: similarity descending, then id ascending, the first `limit`', () => {
    const a = [{ id: 'b0000000-0000-4000-8000-000000000000', similarity: 0.9 }, { id: '10000000-0000-4000-8000-000000000000', similarity: 0.5 }];
    const b = [{ id: 'a0000000-0000-4000-8000-000000000000', similarity: 0.9 }, { id: 'f0000000-0000-4000-8000-000000000000', similarity: 0.7 }];
    expect(mergeCandidates([a, b], 3).map((candidate) => candidate.id)).toEqual([
      'a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000000', 'f0000000-0000-4000-8000-000000000000',
    ]);
    expect(mergeCandidates([[], a], 5)).toEqual(a);
    expect(mergeCandidates([], 5)).toEqual([]);
  });
});
