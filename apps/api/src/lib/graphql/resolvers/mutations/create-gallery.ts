import type { MutationResolver } from '../types.js';

export const createGallery: MutationResolver<'createGallery'> = (_parent, { input }, { actor, services }) =>
  services.galleries.create(actor, input);
