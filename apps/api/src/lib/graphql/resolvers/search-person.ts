// searchPerson: the search (which writes its own audit row in its
// transaction), then the hits' images and galleries primed into the request's
// loaders so the hit fields cost no query. A failed search is audited here.
import { isUuid } from '../../repositories/ids.js';
import type { QueryResolvers } from './types.js';

export const searchPerson: NonNullable<QueryResolvers['searchPerson']> = async (_parent, { input }, context) => {
  const { actor, services } = context;
  const started = performance.now();
  try {
    const result = await services.search.searchPerson(actor, input);
    const loaders = context.loaders();
    for (const image of result.frames.images) loaders.image.prime(image.id, image);
    for (const gallery of result.frames.galleries) loaders.gallery.prime(gallery.id, gallery);
    return result;
  } catch (error) {
    // What the search would have covered: the requested galleries (the service refuses any outside the key's scope), else the key's scope.
    const requested = (input.galleryIds ?? []).filter(isUuid);
    const galleryIds = requested.length > 0 ? requested : actor.kind === 'key' ? actor.galleryScope : null;
    await services.audit.recordSearch(actor, { galleryIds, hits: 0, latencyMs: performance.now() - started, error });
    throw error;
  }
};
