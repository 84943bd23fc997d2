// Query resolvers: each hands the validated arguments to a service.
import { searchPerson } from './search-person.js';
import type { QueryResolvers } from './types.js';

const version = process.env.npm_package_version ?? '0.1.0';

export const Query: QueryResolvers = {
  health: (_parent, _args, { dbKind }) => ({ ok: true, database: dbKind, version }),
  viewer: async (_parent, _args, { actor, services, key }) => ({ role: key().role, tenant: await services.tenants.viewerTenant(actor) }),
  apiKeys: (_parent, _args, { actor, services }) => services.tenants.listApiKeys(actor),
  auditLog: (_parent, args, { actor, services }) => services.audit.list(actor, args),
  searchAuditLog: (_parent, args, { actor, services }) => services.audit.listSearches(actor, args),
  galleries: (_parent, args, { actor, services }) => services.galleries.list(actor, args),
  gallery: (_parent, { id }, { actor, services }) => services.galleries.get(actor, id),
  image: (_parent, { id }, { actor, services }) => services.frames.image(actor, id),
  detection: (_parent, { id }, { actor, services }) => services.frames.detection(actor, id),
  models: () => ({}),
  searchPerson,
};
