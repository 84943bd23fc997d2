import type { MutationResolver } from '../types.js';

export const refreshDeviceSession: MutationResolver<'refreshDeviceSession'> = (_parent, { refreshToken }, { services, clientAddress }) =>
  services.devices.refresh(refreshToken, clientAddress);
