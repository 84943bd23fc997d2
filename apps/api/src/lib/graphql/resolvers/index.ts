// The resolver map: queries, one file per mutation, object field resolvers, scalars.
import { DateTimeScalar, EmbeddingScalar } from '../scalars.js';
import { createApiKey } from './mutations/create-api-key.js';
import { createDeviceEnrolment } from './mutations/create-device-enrolment.js';
import { createGallery } from './mutations/create-gallery.js';
import { createTenant } from './mutations/create-tenant.js';
import { deleteGallery } from './mutations/delete-gallery.js';
import { deleteImage } from './mutations/delete-image.js';
import { enrolDevice } from './mutations/enrol-device.js';
import { ingestFrame } from './mutations/ingest-frame.js';
import { ingestFrames } from './mutations/ingest-frames.js';
import { ping } from './mutations/ping.js';
import { refreshDeviceSession } from './mutations/refresh-device-session.js';
import { registerDevice } from './mutations/register-device.js';
import { revokeApiKey } from './mutations/revoke-api-key.js';
import { revokeDevice } from './mutations/revoke-device.js';
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
    createDeviceEnrolment,
    enrolDevice,
    refreshDeviceSession,
    revokeDevice,
    ingestFrame,
    ingestFrames,
    deleteImage,
  },
  ...objectResolvers,
};
