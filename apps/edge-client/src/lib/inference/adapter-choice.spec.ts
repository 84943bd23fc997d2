import { describe, expect, it } from 'vitest';
import { classifyAdapter, planBackend } from './adapter-choice.js';

describe('classifyAdapter / planBackend', () => {
  it('never auto-picks a software adapter: fallback flag or SwiftShader-like names', () => {
    for (const facts of [{ isFallbackAdapter: true, vendor: 'nvidia' }, { vendor: 'google', architecture: 'swiftshader' }, { vendor: 'mesa', device: 'llvmpipe (LLVM 15)' }]) {
      const verdict = classifyAdapter(facts);
      expect(verdict.kind).toBe('software');
      expect(planBackend('auto', verdict).backend).toBe('wasm');
    }
  });

  it('takes a hardware adapter, probes an anonymous one, and uses WASM without any', () => {
    expect(planBackend('auto', classifyAdapter({ vendor: 'intel', architecture: 'gen-12lp' })).backend).toBe('webgpu');
    expect(planBackend('auto', classifyAdapter({})).backend).toBe('probe');
    expect(planBackend('auto', classifyAdapter(null))).toEqual({ backend: 'wasm', reason: 'no WebGPU adapter' });
  });

  it('obeys an explicit backend attribute, even on a software adapter', () => {
    expect(planBackend('webgpu', classifyAdapter({ architecture: 'swiftshader' })).backend).toBe('webgpu');
    expect(planBackend('wasm', classifyAdapter({ vendor: 'nvidia' })).backend).toBe('wasm');
  });
});
