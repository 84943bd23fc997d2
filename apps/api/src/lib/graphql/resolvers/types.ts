import type { Server } from '@person-search/schema';
// Resolver signatures from the schema, bound to this server's context.
import type { RequestContext } from '../context.js';

export type Resolvers = Server.Resolvers<RequestContext>;
export type QueryResolvers = Server.QueryResolvers<RequestContext>;
export type MutationResolvers = Server.MutationResolvers<RequestContext>;
export type MutationResolver<K extends keyof Server.MutationResolvers> = NonNullable<Server.MutationResolvers<RequestContext>[K]>;
