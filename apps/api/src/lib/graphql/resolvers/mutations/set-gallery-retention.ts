import type { MutationResolver } from '../types.js';

export const setGalleryRetention: MutationResolver<'setGalleryRetention'> = (_parent, { input }, { actor, services }) =>
  services.galleries.setRetention(actor, input);
