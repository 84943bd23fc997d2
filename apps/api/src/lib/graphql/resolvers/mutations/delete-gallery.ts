import type { MutationResolver } from '../types.js';

export const deleteGallery: MutationResolver<'deleteGallery'> = (_parent, { id }, { actor, services }) =>
  services.galleries.delete(actor, id);
