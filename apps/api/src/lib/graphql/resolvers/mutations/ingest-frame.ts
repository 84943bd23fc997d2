// ingestFrame: the service stores the frame; the new image and its gallery are primed into the
// request's loaders, so the detections' image and gallery fields cost no query.
import type { MutationResolver } from '../types.js';

export const ingestFrame: MutationResolver<'ingestFrame'> = async (_parent, { input }, context) => {
  const result = await context.services.frames.ingestFrame(context.actor, input);
  const loaders = context.loaders();
  loaders.image.prime(result.image.id, result.image);
  if (result.gallery) loaders.gallery.prime(result.gallery.id, result.gallery);
  return result;
};
