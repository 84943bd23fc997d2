import type { MutationResolver } from '../types.js';

export const createTenant: MutationResolver<'createTenant'> = (_parent, { input }, { actor, services }) =>
  services.tenants.createTenant(actor, input);
