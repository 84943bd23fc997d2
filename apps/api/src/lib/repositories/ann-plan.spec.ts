// Stage 1's plan choice (pure): when the exact scan runs, and how wide HNSW searches.
import { describe, expect, it } from 'vitest';
import { admittedRowCountCap, chooseAnnPlan, EXACT_SCAN_MAX_FILTERED_ROWS, EXACT_SCAN_MAX_ROWS, hasTimeWindow } from './detections-repository.js';

describe('stage-1 plan choice', () => {
  it('counts a search (the tenant is a filter of the shared index too) up to 10 % of the index (at least 10k, at most 250k)', () => {
    expect(admittedRowCountCap(2_000_000)).toBe(200_000);
    expect(admittedRowCountCap(200_000)).toBe(20_000);
    expect(admittedRowCountCap(50_000)).toBe(EXACT_SCAN_MAX_ROWS);
    expect(admittedRowCountCap(20_000_000)).toBe(EXACT_SCAN_MAX_FILTERED_ROWS);
    // Never analysed (reltuples unknown): 10k.
    expect(admittedRowCountCap(0)).toBe(EXACT_SCAN_MAX_ROWS);
    expect(admittedRowCountCap(1000, { exactMaxRows: 5, exactMaxFilteredShare: 0.5 })).toBe(500);
  });

  it('runs the exact scan while the count stays within its cap', () => {
    // 1M rows/tenant, 2 tenants: 10 days (100k rows, 5 % of the index) ⇒ exact, as measured (134 ms, recall 1.00 vs HNSW 0.35).
    const cap = admittedRowCountCap(2_000_000);
    expect(chooseAnnPlan({ limit: 200, admittedRows: 100_000, cap }).plan).toBe('exact');
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

  it('treats only time bounds as a window (a remembered plan is never reused under one)', () => {
    const none = { capturedAfter: null, capturedBefore: null };
    expect(hasTimeWindow(none)).toBe(false);
    expect(hasTimeWindow({ ...none, capturedAfter: new Date(0) })).toBe(true);
    expect(hasTimeWindow({ ...none, capturedBefore: new Date(0) })).toBe(true);
  });
});
