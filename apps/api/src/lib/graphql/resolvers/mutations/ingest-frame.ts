import type { MutationResolver } from '../types.js';

export const ingestFrame: MutationResolver<'ingestFrame'> = (_parent, { input }, { actor, services }) =>
  services.frames.ingestFrame(actor, input);
