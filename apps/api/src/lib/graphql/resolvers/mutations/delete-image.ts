import type { MutationResolver } from '../types.js';

export const deleteImage: MutationResolver<'deleteImage'> = (_parent, { id }, { actor, services }) =>
  services.frames.deleteImage(actor, id);
