// The resolver map: queries, one file per mutation, object field resolvers, scalars.
import { DateTimeScalar, EmbeddingScalar } from '../scalars.js';
import { createApiKey } from './mutations/create-api-key.js';
import { createGallery } from './mutations/create-gallery.js';
import { createTenant } from './mutations/create-tenant.js';
import { deleteGallery } from './mutations/delete-gallery.js';
import { deleteImage } from './mutations/delete-image.js';
import { ingestFrame } from './mutations/ingest-frame.js';
import { ping } from './mutations/ping.js';
import { registerDevice } from './mutations/register-device.js';
import { revokeApiKey } from './mutations/revoke-api-key.js';
import { setGalleryRetention } from './mutations/set-gallery-retention.js';
import { updateGallery } from './mutations/update-gallery.js';
import { objectResolvers } from './objects.js';
import { Query } from './query.js';
import type { Resolvers } from './types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Embedding: EmbeddingScalar,
  Query,
  Mutation: {
    ping,
    createTenant,
    createApiKey,
    revokeApiKey,
    createGallery,
    updateGallery,
    deleteGallery,
    setGalleryRetention,
    registerDevice,
    ingestFrame,
    deleteImage,
  },
  ...objectResolvers,
};
