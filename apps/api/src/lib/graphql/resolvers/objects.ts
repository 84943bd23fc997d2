// Field resolvers of object types whose parents carry ids of linked rows.
import { notFound } from '../../errors.js';
import type { ActiveModel } from '../../inference/model-registry.js';
import type { RequestContext } from '../context.js';
import type { Resolvers } from './types.js';

function modelView(model: ActiveModel | null, context: RequestContext) {
  if (!model) return null;
  const { manifest } = model;
  const isStudent = manifest.role === 'student';
  return {
    id: manifest.id,
    version: manifest.version,
    role: isStudent ? ('STUDENT' as const) : ('TEACHER' as const),
    dimension: model.dimension,
    sha256: manifest.sha256,
    // Only the student is served to edges; the teacher stays on the server.
    manifestUrl: isStudent ? `${context.baseUrl}/models/${manifest.id}/manifest.json` : null,
    modelUrl: isStudent ? `${context.baseUrl}/models/${manifest.id}/${manifest.file}` : null,
  };
}

export const objectResolvers: Resolvers = {
  Viewer: {
    key: (_parent, _args, { actor, services }) => services.tenants.viewerKey(actor),
    device: (_parent, _args, { actor, services }) => services.devices.viewerDevice(actor),
  },
  ActiveModels: {
    student: (_parent, _args, context) => modelView(context.models.student, context),
    teacher: (_parent, _args, context) => modelView(context.models.teacher, context),
  },
  Gallery: {
    // The listed frames are primed into the request's loaders, as searchPerson's hits are.
    images: async (gallery, args, context) => {
      const connection = await context.services.frames.listImages(context.actor, gallery.id, args);
      const loaders = context.loaders();
      for (const edge of connection.edges) loaders.image.prime(edge.node.id, edge.node);
      loaders.gallery.prime(gallery.id, gallery);
      return connection;
    },
  },
  Image: {
    gallery: async (image, _args, context) => (await context.loaders().gallery.load(image.galleryId)) ?? Promise.reject(notFound('gallery')),
    detections: (image, _args, context) => context.loaders().detectionsOfImage.load(image.id),
    url: (image, _args, context) => `${context.baseUrl}${context.signer.path('image', context.key(), image.id)}`,
  },
  Detection: {
    gallery: async (detection, _args, context) =>
      (await context.loaders().gallery.load(detection.galleryId)) ?? Promise.reject(notFound('gallery')),
    image: async (detection, _args, context) => (await context.loaders().image.load(detection.imageId)) ?? Promise.reject(notFound('image')),
    cropUrl: (detection, _args, context) => `${context.baseUrl}${context.signer.path('crop', context.key(), detection.id)}`,
  },
};
