// Turns the Authorization header into a Principal. API keys are looked up by
// prefix as the system (the tenant is not known yet) and the row is cached for
// at most API_KEY_CACHE_SECONDS (≤ 5 s; the secret is checked on every
// request): a key revoked through this process fails on its very next request
// (revocation evicts it), one revoked through another replica within the TTL.
// Device access tokens are not cached: revoking a device ends them at once.
import type { ApiKey } from '@person-search/db';
import { parseApiKey, secretMatches, tokenMatches } from '../auth/api-key.js';
import { isDeviceAccessToken } from '../auth/device-credentials.js';
import type { KeyCache } from '../auth/key-cache.js';
import type { Principal } from '../auth/principal.js';
import { databaseErrorToAppError, unauthenticated } from '../errors.js';
import { findApiKeyByPrefix, touchApiKey } from '../repositories/api-keys-repository.js';
import type { DeviceService } from './device-service.js';
import type { ServiceDeps } from './service-deps.js';

/** `lastUsedAt` is kept to the minute, so a busy key costs one write a minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

function rethrowAsAppError(error: unknown): never {
  throw databaseErrorToAppError(error) ?? error;
}

export function createAuthService({ db, config }: ServiceDeps, devices: Pick<DeviceService, 'authenticate'>, keyCache: KeyCache<ApiKey>) {
  async function keyByPrefix(prefix: string): Promise<ApiKey | null> {
    const cached = keyCache.get(prefix);
    if (cached) return cached;
    const key = await db.asSystem((tx) => findApiKeyByPrefix(tx, prefix)).catch(rethrowAsAppError);
    // Only valid, unrevoked keys are cached: a wrong or revoked key always asks the database.
    if (key && !key.revokedAt) keyCache.set(prefix, key);
    return key;
  }

  return {
    async authenticate(authorization: string | undefined): Promise<Principal> {
      if (!authorization) return { kind: 'anonymous' };
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated('the Authorization header must be "Bearer <key>"');
      const credential = match[1]!;
      if (config.operatorToken && !credential.startsWith('psk_') && tokenMatches(credential, config.operatorToken)) {
        return { kind: 'operator' };
      }
      // Enrolled devices' short-lived tokens (`psd_…`) are accepted wherever a key is.
      if (isDeviceAccessToken(credential)) return devices.authenticate(credential);
      const parsed = parseApiKey(credential);
      if (!parsed) throw unauthenticated('the API key is malformed');
      // Runs before GraphQL or REST handling, so a database outage must already be UNAVAILABLE here.
      const key = await keyByPrefix(parsed.prefix);
      if (!key || !secretMatches(parsed.secretPart, key.secretHash)) throw unauthenticated('the API key is not valid');
      if (key.revokedAt) throw unauthenticated('the API key has been revoked');
      if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await db.withTenant(key.tenantId, (tx) => touchApiKey(tx, key.tenantId, key.id, LAST_USED_RESOLUTION_MS)).catch(rethrowAsAppError);
        key.lastUsedAt = new Date();
      }
      return {
        kind: 'key',
        tenantId: key.tenantId,
        keyId: key.id,
        role: key.role,
        galleryScope: key.galleryIds.length > 0 ? key.galleryIds : null,
      };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
