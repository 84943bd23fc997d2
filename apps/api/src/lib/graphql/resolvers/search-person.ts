// searchPerson: the search, then one search-audit row (who, which galleries,
// hits, latency, outcome) whether it succeeded or failed.
import { isUuid } from '../../repositories/ids.js';
import type { QueryResolvers } from './types.js';

export const searchPerson: NonNullable<QueryResolvers['searchPerson']> = async (_parent, { input }, { actor, services }) => {
  const started = performance.now();
  // What the search covers: the requested galleries (the service refuses any outside the key's scope), else the key's scope.
  const requested = (input.galleryIds ?? []).filter(isUuid);
  const galleryIds = requested.length > 0 ? requested : actor.kind === 'key' ? actor.galleryScope : null;
  try {
    const result = await services.search.searchPerson(actor, input);
    await services.audit.recordSearch(actor, { galleryIds, hits: result.hits.length, latencyMs: performance.now() - started });
    return result;
  } catch (error) {
    await services.audit.recordSearch(actor, { galleryIds, hits: 0, latencyMs: performance.now() - started, error });
    throw error;
  }
};
