import { buildSchema, parse, validate } from 'graphql';
import { typeDefs, GalleriesDocument, SearchPersonDocument, ImageDocument } from '@person-search/schema';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from './query-limits.js';

const schema = buildSchema(typeDefs);
const check = (document: ReturnType<typeof parse>, depth: number, complexity: number) =>
  validate(schema, document, [queryLimitsRule(depth, complexity)]).map((error) => error.message);

describe('queryLimitsRule', () => {
  it('lets every client document through under the default limits', () => {
    for (const document of [GalleriesDocument, SearchPersonDocument, ImageDocument]) expect(check(document, 10, 5000)).toEqual([]);
  });

  it('measures depth through fragments', () => {
    const deep = parse('fragment D on Detection { image { detections { id } } } { image(id: "x") { detections { ...D } } }');
    expect(check(deep, 4, 1e6)).toEqual(['query depth 5 exceeds the limit of 4']);
    expect(check(deep, 5, 1e6)).toEqual([]);
  });

  it('multiplies list subtrees by their page size', () => {
    const paged = parse('{ galleries(first: 200) { edges { node { id name } } } }');
    // 1 (galleries) + 200 × (1 (edges) + 1 (node) + 2 fields) = 801
    expect(check(paged, 10, 800)).toEqual(['query complexity 801 exceeds the limit of 800']);
    expect(check(paged, 10, 801)).toEqual([]);
  });
});
