import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { typeDefs, DeviceIngestFramesDocument, GalleriesDocument, GalleryImagesDocument, SearchPersonDocument, ImageDocument } from '@person-search/schema';
import { describe, expect, it } from 'vitest';
import { measureOperation, queryLimitsRule } from './query-limits.js';

const schema = buildSchema(typeDefs);
const check = (document: ReturnType<typeof parse>, depth: number, complexity: number, expensive = Infinity) =>
  validate(schema, document, [queryLimitsRule(depth, complexity, expensive)]).map((error) => error.message);
const measure = (source: string, variables?: Record<string, unknown>) => {
  const document = parse(source);
  return measureOperation(schema, document, document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, variables);
};

describe('queryLimitsRule', () => {
  it('lets every client document through under the default limits', () => {
    for (const document of [GalleriesDocument, GalleryImagesDocument, SearchPersonDocument, ImageDocument]) expect(check(document, 10, 5000, 10)).toEqual([]);
  });

  it('measures depth through fragments', () => {
    const deep = parse('fragment D on Detection { image { detections { id } } } { image(id: "x") { detections { ...D } } }');
    expect(check(deep, 4, 1e6)).toEqual(['query depth 5 exceeds the limit of 4']);
    expect(check(deep, 5, 1e6)).toEqual([]);
  });

  it('multiplies list subtrees by their page size', () => {
    const paged = parse('{ galleries(first: 200) { edges { node { id name } } pageInfo { hasNextPage } } }');
    // 1 (galleries) + 1 (edges) + 200 × (1 (node) + 2 fields) + 2 (pageInfo) = 604
    expect(check(paged, 10, 603)).toEqual(['query complexity 604 exceeds the limit of 603']);
    expect(check(paged, 10, 604)).toEqual([]);
  });
});

describe('measureOperation', () => {
  const pagedByVariable = 'query ($n: Int) { galleries(first: $n) { edges { node { id name } } } }';

  it('counts a page size given as a variable like the same literal', () => {
    const literal = measure('{ galleries(first: 200) { edges { node { id name } } } }');
    expect(measure(pagedByVariable, { n: 200 }).complexity).toBe(literal.complexity);
    // Without a value (the validation rule) the argument's schema default (50) counts.
    expect(measure(pagedByVariable).complexity).toBe(measure('{ galleries { edges { node { id name } } } }').complexity);
  });

  it('multiplies a nested connection (Gallery.images) by its first, literal or variable, inside its parent page', () => {
    const nested = 'query ($n: Int) { gallery(id: "x") { images(first: $n) { edges { node { id url } } } } }';
    // 1 (gallery) + 1 (images) + 1 (edges) + 200 × (1 (node) + 2 fields) = 603
    expect(measure(nested, { n: 200 }).complexity).toBe(603);
    expect(measure('{ gallery(id: "x") { images(first: 200) { edges { node { id url } } } } }').complexity).toBe(603);
    expect(measure(nested).complexity).toBe(measure('{ gallery(id: "x") { images { edges { node { id url } } } } }').complexity);
    expect(measure(nested).complexity).toBe(3 + 50 * 3);
    // Pages of pages multiply: 200 galleries × 200 images each.
    const pagesOfPages = measure('{ galleries(first: 200) { edges { node { images(first: 200) { edges { node { id } } } } } } }').complexity;
    expect(pagesOfPages).toBeGreaterThan(200 * 200 * 2);
  });

  it('sizes a search by input.topK, literal or inside the $input variable', () => {
    const byVariable = 'query ($input: SearchPersonInput!) { searchPerson(input: $input) { hits { rank } } }';
    const small = measure(byVariable, { input: { query: { detectionId: 'x' }, topK: 1 } }).complexity;
    const large = measure(byVariable, { input: { query: { detectionId: 'x' }, topK: 200 } }).complexity;
    expect(large - small).toBe(199); // one field (rank) per extra hit
    expect(measure('{ searchPerson(input: { query: { detectionId: "x" }, topK: 200 }) { hits { rank } } }').complexity).toBe(large);
    // The schema default topK (20) when the input leaves it out.
    expect(measure(byVariable, { input: { query: { detectionId: 'x' } } }).complexity).toBe(measure(byVariable, { input: { query: { detectionId: 'x' }, topK: 20 } }).complexity);
  });

  it('keeps the client search document at the largest topK within the default complexity', () => {
    const operation = SearchPersonDocument.definitions[0] as OperationDefinitionNode;
    const cost = measureOperation(schema, SearchPersonDocument, operation, { input: { query: { detectionId: 'x' }, topK: 200 } });
    expect(cost.complexity).toBeLessThanOrEqual(5000);
    expect(cost.tokens).toBe(1);
  });

  it('weighs every alias of an expensive root field and counts its rate-limit tokens', () => {
    const aliases = Array.from({ length: 400 }, (_, i) => `s${i}: searchPerson(input: { query: { detectionId: "x" } }) { stats { totalMs } }`).join(' ');
    const cost = measure(`{ ${aliases} }`);
    expect(cost.expensiveFields).toBe(400);
    expect(cost.tokens).toBe(400);
    expect(cost.complexity).toBeGreaterThan(400 * 100);
    expect(check(parse(`{ ${aliases} }`), 10, 5000, 10)[0]).toMatch(/holds 400 expensive fields .* the limit is 10 per request/);
    expect(measure('{ viewer { role } }').tokens).toBe(1);
  });

  it('charges a batch of frames per frame, given as a variable or literally', () => {
    const operation = DeviceIngestFramesDocument.definitions[0] as OperationDefinitionNode;
    const frame = { idempotencyKey: 'k', galleryId: 'g', blobId: 'b', capturedAt: '2026-01-01T00:00:00Z', modelId: 'm', detections: [] };
    const batch = (frames: number) => measureOperation(schema, DeviceIngestFramesDocument, operation, { input: { frames: Array.from({ length: frames }, () => frame) } });
    expect(batch(1).tokens).toBe(1);
    expect(batch(8).tokens).toBe(8);
    expect(batch(8).complexity - batch(1).complexity).toBe(7 * 20);
    expect(batch(8).expensiveFields).toBe(1);
    const literal = `{ f: "k", galleryId: "g", blobId: "b", capturedAt: "2026-01-01T00:00:00Z", modelId: "m", detections: [] }`.replace('f:', 'idempotencyKey:');
    expect(measure(`mutation { ingestFrames(input: { frames: [${literal}, ${literal}, ${literal}] }) { frames { duplicate } } }`).tokens).toBe(3);
    // Without the variables (the validation pass) a batch counts as one frame; the request pass has them.
    expect(measureOperation(schema, DeviceIngestFramesDocument, operation).tokens).toBe(1);
  });
});
