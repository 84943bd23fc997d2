import { buildSchema, validate, type DocumentNode, type GraphQLInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from './index.js';
import * as documents from './generated/graphql.js';

describe('schema', () => {
  const schema = buildSchema(typeDefs);

  it('builds from the SDL modules', () => {
    expect(schema.getQueryType()?.getFields()).toHaveProperty('searchPerson');
    expect(schema.getMutationType()?.getFields()).toHaveProperty('ingestFrame');
  });

  it('marks PersonQuery as @oneOf so exactly one reference is given', () => {
    const personQuery = schema.getType('PersonQuery') as GraphQLInputObjectType;
    expect(personQuery.isOneOf).toBe(true);
  });

  it('validates every client document against the schema', () => {
    const typed = Object.entries(documents).filter(([name]) => name.endsWith('Document'));
    expect(typed.length).toBeGreaterThan(15);
    for (const [name, document] of typed) {
      const errors = validate(schema, document as DocumentNode);
      expect(errors.map((error) => `${name}: ${error.message}`)).toEqual([]);
    }
  });
});
