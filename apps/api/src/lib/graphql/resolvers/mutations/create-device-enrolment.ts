import type { MutationResolver } from '../types.js';

export const createDeviceEnrolment: MutationResolver<'createDeviceEnrolment'> = (_parent, { input }, { actor, services }) =>
  services.devices.createEnrolment(actor, input);
