import type { MutationResolver } from '../types.js';

export const revokeApiKey: MutationResolver<'revokeApiKey'> = (_parent, { id }, { actor, services }) =>
  services.tenants.revokeApiKey(actor, id);
