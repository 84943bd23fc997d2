import type { MutationResolver } from '../types.js';

export const createApiKey: MutationResolver<'createApiKey'> = (_parent, { input }, { actor, services }) =>
  services.tenants.createApiKey(actor, input);
