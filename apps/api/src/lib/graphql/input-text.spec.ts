import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { findBadTextInDocument, findBadTextInValue, textProblem } from './input-text.js';

describe('textProblem', () => {
  it('refuses NUL and lone surrogates, accepts any well-formed text', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('\ud800')).toMatch(/lone surrogate/);
    expect(textProblem('x\udc00')).toMatch(/lone surrogate/);
    expect(textProblem('\udc00\ud800')).toMatch(/lone surrogate/); // a reversed pair is two lone halves
    for (const fine of ['', 'café', '📷', '\ud83d\udcf7', 'tab\tnewline\n', '\u200b', "'; DROP TABLE x; --"]) expect(textProblem(fine)).toBeNull();
  });
});

describe('findBadTextInValue', () => {
  it('names the first bad string by its input path', () => {
    const variables = { input: { name: 'ok', detections: [{ box: 1 }, { label: 'bad\u0000' }] }, id: 'x' };
    expect(findBadTextInValue(variables, '')).toEqual({ field: 'input.detections[1].label', problem: 'must not contain NUL characters' });
    expect(findBadTextInValue({ ids: ['a', '\ud800'] }, '')?.field).toBe('ids[1]');
    expect(findBadTextInValue({ input: { ['k\u0000']: 1 } }, '')?.field).toBe('input');
    expect(findBadTextInValue({ input: { name: 'fine', n: 1, flag: null } }, '')).toBeNull();
  });
});

describe('findBadTextInDocument', () => {
  it('checks argument literals, nested objects and lists, also inside fragments', () => {
    expect(findBadTextInDocument(parse('mutation { createGallery(input: { name: "a\\u0000" }) { id } }'))?.field).toBe('input.name');
    expect(findBadTextInDocument(parse('fragment F on Query { gallery(id: "\\u0000") { id } } { ...F }'))?.field).toBe('id');
    expect(findBadTextInDocument(parse('{ searchPerson(input: { query: { detectionId: "x" }, galleryIds: ["a", "b\\u0000"] }) { hits { rank } } }'))?.field).toBe('input.galleryIds[1]');
    expect(findBadTextInDocument(parse('{ galleries(first: 5) { edges { cursor } } }'))).toBeNull();
  });
});
