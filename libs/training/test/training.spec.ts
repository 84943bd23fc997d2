// Runs the Python training package's unittest suite and checks ONNX export parity (torch vs ONNX Runtime,
// the runtime the platform serves with). Skips with a printed reason where PyTorch is not installed:
// the training tools are optional offline tooling (CI installs python3-torch).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';

const projectDir = path.resolve(import.meta.dirname, '..');
// Debian's python3-torch lives in the system interpreter, which a pyenv shim may hide: try both.
const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0);
const hasTorch = python !== undefined;
if (!hasTorch) {
  console.log(`training tests skipped: no ${candidates.join(' or ')} can import torch and onnx (apt-get install python3-torch python3-onnx)`);
}

function runPython(args: string[]) {
  return spawnSync(python!, args, {
    cwd: projectDir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: projectDir, OMP_NUM_THREADS: '1' },
    timeout: 120_000,
  });
}

describe.skipIf(!hasTorch)('training (python)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'training-spec-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('passes its unittest suite (losses, sampler, augmentation geometry, ONNX round trip)', () => {
    const result = runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']);
    const output = `${result.stdout}${result.stderr}`;
    const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
    expect(ran, output).toBeGreaterThanOrEqual(10);
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/\nOK/);
  });

  it('exports ONNX that ONNX Runtime evaluates like torch (float16 storage)', async () => {
    const result = runPython(['-m', 'tests.parity_fixture', work]);
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    const io = JSON.parse(readFileSync(path.join(work, 'io.json'), 'utf8')) as {
      model: string; input: string; output: string; shape: number[]; x: number[]; y: number[];
    };
    const session = await ort.InferenceSession.create(path.join(work, io.model));
    const out = await session.run({ [io.input]: new ort.Tensor('float32', Float32Array.from(io.x), io.shape) });
    const y = out[io.output]!.data as Float32Array;
    expect(y.length).toBe(io.y.length);
    const scale = Math.max(...io.y.map(Math.abs), 1);
    // float16 storage of weights: agreement to ~1e-2 of the output's magnitude.
    io.y.forEach((v, i) => expect(Math.abs(y[i]! - v) / scale).toBeLessThan(2e-2));
    await session.release();
  });
});
