import type { MutationResolver } from '../types.js';

export const revokeDevice: MutationResolver<'revokeDevice'> = (_parent, { id }, { actor, services }) =>
  services.devices.revoke(actor, id);
