import type { MutationResolver } from '../types.js';

export const registerDevice: MutationResolver<'registerDevice'> = (_parent, { input }, { actor, services }) =>
  services.galleries.registerDevice(actor, input);
