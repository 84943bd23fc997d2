// The service set, built once per process from long-lived dependencies.
// Every method takes the caller (Principal) first and authorizes on its first line.
import type { ApiKey } from '@person-search/db';
import { createKeyCache } from '../auth/key-cache.js';
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
  // One per process: rows of API keys (no tenant data), shared by authentication and revocation.
  const keyCache = createKeyCache<ApiKey>({ ttlMs: deps.config.apiKeyCacheMs, maxEntries: 10_000 });
  return {
    auth: createAuthService(deps, devices, keyCache),
    devices,
    tenants: createTenantService(deps, keyCache),
    galleries: createGalleryService(deps),
    frames: createFrameService(deps),
    search: createSearchService(deps),
    audit: createAuditService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps };
