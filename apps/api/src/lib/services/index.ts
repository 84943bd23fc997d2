// The service set, built once per process from long-lived dependencies.
// Every method takes the caller (Principal) first and authorizes on its first line.
import { createAuditService } from './audit-service.js';
import { createAuthService } from './auth-service.js';
import { createDeviceService } from './device-service.js';
import { createFrameService } from './frame-service.js';
import { createGalleryService } from './gallery-service.js';
import { createSearchService } from './search-service.js';
import type { ServiceDeps } from './service-deps.js';
import { createTenantService } from './tenant-service.js';

export function createServices(deps: ServiceDeps) {
  const devices = createDeviceService(deps);
  return {
    auth: createAuthService(deps, devices),
    devices,
    tenants: createTenantService(deps),
    galleries: createGalleryService(deps),
    frames: createFrameService(deps),
    search: createSearchService(deps),
    audit: createAuditService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps };
