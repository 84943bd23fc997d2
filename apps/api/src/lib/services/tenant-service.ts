// Tenants and API keys: operator tenant creation, admin key management.
import type { ApiKey, ApiKeyRole, Tenant } from '@person-search/db';
import type { Server } from '@person-search/schema';
import { issueApiKey } from '../auth/api-key.js';
import type { KeyCache } from '../auth/key-cache.js';
import { coversGalleries, requireKey, requireOperator, type Principal } from '../auth/principal.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { insertApiKey, listApiKeys, revokeApiKey, findApiKey } from '../repositories/api-keys-repository.js';
import { insertAuditEntry } from '../repositories/audit-repository.js';
import { findGalleries } from '../repositories/galleries-repository.js';
import { isUuid } from '../repositories/ids.js';
import { countTenants, findTenant, insertTenant } from '../repositories/tenants-repository.js';
import type { ServiceDeps } from './service-deps.js';

export interface IssuedApiKeyResult {
  apiKey: Server.ApiKey;
  secret: string;
}

/** The stored key as the schema shows it: never the hash. */
export function toApiKeyView(row: ApiKey): Server.ApiKey {
  return {
    id: row.id,
    name: row.label,
    prefix: row.prefix,
    role: row.role,
    galleryIds: row.galleryIds.length > 0 ? row.galleryIds : null,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

function checkName(field: string, name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw badInput(field, 'must be 1..200 characters');
  return trimmed;
}

/** `keyCache`: authentication's cache of key rows, evicted when a key is revoked here. */
export function createTenantService({ db }: ServiceDeps, keyCache: Pick<KeyCache<unknown>, 'evict'>) {
  /** Creates a tenant and its first admin key (system transaction: the tenant does not exist yet). */
  async function createTenantWithAdmin(name: string, actorKeyId: string | null): Promise<{ tenant: Tenant; adminKey: IssuedApiKeyResult }> {
    const issued = issueApiKey();
    return db.asSystem(async (tx) => {
      const tenant = await insertTenant(tx, name);
      const apiKey = await insertApiKey(tx, tenant.id, { prefix: issued.prefix, secretHash: issued.secretHash, role: 'ADMIN', galleryIds: [], label: 'first admin key' });
      await insertAuditEntry(tx, tenant.id, { actorKeyId, action: 'tenant.create', target: `tenant:${tenant.id}`, details: { name } });
      return { tenant, adminKey: { apiKey: toApiKeyView(apiKey), secret: issued.secret } };
    });
  }

  return {
    async createTenant(actor: Principal, input: { name: string }) {
      requireOperator(actor);
      return createTenantWithAdmin(checkName('input.name', input.name), null);
    },

    /** On a fresh embedded data dir: the tenant and admin key printed at start-up; null when tenants exist. */
    async bootstrapIfEmpty(): Promise<{ tenant: Tenant; adminKey: IssuedApiKeyResult } | null> {
      if ((await db.asSystem((tx) => countTenants(tx))) > 0) return null;
      return createTenantWithAdmin('default', null);
    },

    /**
     * Local tools with direct database access (demo:seed on an embedded data
     * dir) are the operator: a new admin key for the oldest tenant.
     */
    async issueLocalAdminKey(label: string): Promise<{ tenant: Tenant; adminKey: IssuedApiKeyResult } | null> {
      const issued = issueApiKey();
      return db.asSystem(async (tx) => {
        const tenant = await tx.tenant.findFirst({ orderBy: { createdAt: 'asc' } });
        if (!tenant) return null;
        const apiKey = await insertApiKey(tx, tenant.id, { prefix: issued.prefix, secretHash: issued.secretHash, role: 'ADMIN', galleryIds: [], label });
        await insertAuditEntry(tx, tenant.id, { actorKeyId: null, action: 'apiKey.create', target: `apiKey:${apiKey.id}`, details: { role: 'ADMIN', name: label, by: 'local tool' } });
        return { tenant, adminKey: { apiKey: toApiKeyView(apiKey), secret: issued.secret } };
      });
    },

    async viewerTenant(actor: Principal): Promise<Tenant> {
      const key = requireKey(actor);
      const tenant = await db.withTenant(key.tenantId, (tx) => findTenant(tx, key.tenantId));
      if (!tenant) throw notFound('tenant');
      return tenant;
    },

    async viewerKey(actor: Principal): Promise<Server.ApiKey> {
      const key = requireKey(actor);
      const apiKey = await db.withTenant(key.tenantId, (tx) => findApiKey(tx, key.tenantId, key.keyId));
      if (!apiKey) throw notFound('API key');
      return toApiKeyView(apiKey);
    },

    async createApiKey(actor: Principal, input: { name: string; role: ApiKeyRole; galleryIds?: readonly string[] | null }): Promise<IssuedApiKeyResult> {
      const admin = requireKey(actor, 'ADMIN');
      const label = checkName('input.name', input.name);
      const galleryIds = [...new Set(input.galleryIds ?? [])];
      galleryIds.forEach((id, index) => {
        if (!isUuid(id)) throw badInput(`input.galleryIds[${index}]`, 'is not a gallery id');
      });
      // A scoped admin mints keys only within its own scope (never an unscoped key).
      if (!coversGalleries(admin, galleryIds)) throw forbidden('a key limited to galleries can only create keys limited to galleries within its scope');
      const issued = issueApiKey();
      return db.withTenant(admin.tenantId, async (tx) => {
        const found = await findGalleries(tx, admin.tenantId, galleryIds);
        const missing = galleryIds.findIndex((id) => !found.some((gallery) => gallery.id === id));
        if (missing >= 0) throw notFound('gallery', `input.galleryIds[${missing}]`);
        const apiKey = await insertApiKey(tx, admin.tenantId, { prefix: issued.prefix, secretHash: issued.secretHash, role: input.role, galleryIds, label });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'apiKey.create', target: `apiKey:${apiKey.id}`, galleryIds, details: { role: input.role, galleryIds, name: label } });
        return { apiKey: toApiKeyView(apiKey), secret: issued.secret };
      });
    },

    async revokeApiKey(actor: Principal, id: string): Promise<Server.ApiKey> {
      const admin = requireKey(actor, 'ADMIN');
      if (!isUuid(id)) throw notFound('API key');
      const revoked = await db.withTenant(admin.tenantId, async (tx) => {
        // Keys outside a scoped admin's scope are invisible to it (see listApiKeys), so they read as absent.
        const target = await findApiKey(tx, admin.tenantId, id);
        if (!target || !coversGalleries(admin, target.galleryIds)) throw notFound('API key');
        const row = await revokeApiKey(tx, admin.tenantId, id);
        if (!row) throw notFound('API key');
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'apiKey.revoke', target: `apiKey:${id}`, galleryIds: target.galleryIds });
        return row;
      });
      // After the commit: a request between an earlier eviction and the commit would cache the unrevoked row again.
      keyCache.evict(revoked.prefix);
      return toApiKeyView(revoked);
    },

    async listApiKeys(actor: Principal): Promise<Server.ApiKey[]> {
      const admin = requireKey(actor, 'ADMIN');
      const keys = await db.withTenant(admin.tenantId, (tx) => listApiKeys(tx, admin.tenantId));
      return keys.filter((key) => coversGalleries(admin, key.galleryIds)).map(toApiKeyView);
    },
  };
}
export type TenantService = ReturnType<typeof createTenantService>;
