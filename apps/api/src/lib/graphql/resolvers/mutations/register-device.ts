import type { MutationResolver } from '../types.js';

export const registerDevice: MutationResolver<'registerDevice'> = (_parent, { input }, { actor, services }) =>
  services.devices.register(actor, input);
