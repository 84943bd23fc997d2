import type { MutationResolver } from '../types.js';

export const enrolDevice: MutationResolver<'enrolDevice'> = (_parent, { code }, { services, clientAddress }) =>
  services.devices.enrol(code, clientAddress);
