// @person-search/schema: the GraphQL contract. The SDL in src/sdl is the
// source of truth; `npm run generate` derives everything exported here.
export { typeDefs } from './generated/type-defs.js';
export { errorCodes, type ErrorCode } from './error-codes.js';
export type * from './parents.js';
// Typed documents and operation types for clients (edge client, tests):
// scalars as they travel in JSON (DateTime and Embedding are strings).
export * from './generated/graphql.js';
// Typed resolvers for the server, under one namespace because their scalars
// are the parsed values (Date, Float32Array), not the wire strings.
export type * as Server from './generated/resolvers.js';
