import type { MutationResolver } from '../types.js';

export const updateGallery: MutationResolver<'updateGallery'> = (_parent, { input }, { actor, services }) =>
  services.galleries.update(actor, input);
