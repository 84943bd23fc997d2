// ingestFrames: several frames in one transaction (frame-service.ts); each stored frame's image and
// gallery are primed into the request's loaders, as ingestFrame's are.
import type { MutationResolver } from '../types.js';

export const ingestFrames: MutationResolver<'ingestFrames'> = async (_parent, { input }, context) => {
  const results = await context.services.frames.ingestFrames(context.actor, input.frames);
  const loaders = context.loaders();
  for (const result of results) {
    loaders.image.prime(result.image.id, result.image);
    if (result.gallery) loaders.gallery.prime(result.gallery.id, result.gallery);
  }
  return { frames: results };
};
