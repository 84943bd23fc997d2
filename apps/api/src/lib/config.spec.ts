// Configuration: the student's HNSW graph options (HNSW_M, HNSW_EF_CONSTRUCTION) and their bounds.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration: the student HNSW graph', () => {
  it('defaults to m 24, ef_construction 128 and takes both from the environment', () => {
    expect(loadConfig({}).studentGraph).toEqual({ m: 24, efConstruction: 128 });
    expect(loadConfig({ HNSW_M: '16', HNSW_EF_CONSTRUCTION: '64' }).studentGraph).toEqual({ m: 16, efConstruction: 64 });
  });

  it('refuses values pgvector would refuse, naming the variable', () => {
    expect(() => loadConfig({ HNSW_M: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ HNSW_M: '1' })).toThrow(/HNSW_M/);
    expect(() => loadConfig({ HNSW_EF_CONSTRUCTION: '2000' })).toThrow(/HNSW_EF_CONSTRUCTION/);
    expect(() => loadConfig({ HNSW_M: '48', HNSW_EF_CONSTRUCTION: '64' })).toThrow(/HNSW_EF_CONSTRUCTION: must be at least 2 × HNSW_M \(96\), got 64/);
  });
});
