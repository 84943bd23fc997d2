// SQL for API keys. Only the prefix and the secret's hash are stored.
import type { ApiKey, ApiKeyRole, DatabaseTransaction } from '@person-search/db';

export interface NewApiKey {
  prefix: string;
  secretHash: string;
  role: ApiKeyRole;
  galleryIds: string[];
  label: string;
}

export function insertApiKey(tx: DatabaseTransaction, tenantId: string, key: NewApiKey): Promise<ApiKey> {
  return tx.apiKey.create({ data: { tenantId, ...key } });
}

/** System lookup at authentication time: the prefix is globally unique. */
export function findApiKeyByPrefix(tx: DatabaseTransaction, prefix: string): Promise<ApiKey | null> {
  return tx.apiKey.findUnique({ where: { prefix } });
}

/** Records use, at most once per `minimumIntervalMs` per key: authentication must not write on every request. */
export async function touchApiKey(tx: DatabaseTransaction, tenantId: string, id: string, minimumIntervalMs: number): Promise<void> {
  const now = new Date();
  const staleBefore = new Date(now.getTime() - minimumIntervalMs);
  await tx.apiKey.updateMany({
    where: { tenantId, id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
    data: { lastUsedAt: now },
  });
}

export function findApiKey(tx: DatabaseTransaction, tenantId: string, id: string): Promise<ApiKey | null> {
  return tx.apiKey.findUnique({ where: { tenantId_id: { tenantId, id } } });
}

export function listApiKeys(tx: DatabaseTransaction, tenantId: string): Promise<ApiKey[]> {
  return tx.apiKey.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
}

export async function revokeApiKey(tx: DatabaseTransaction, tenantId: string, id: string): Promise<ApiKey | null> {
  const { count } = await tx.apiKey.updateMany({ where: { tenantId, id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0 && !(await findApiKey(tx, tenantId, id))) return null;
  return findApiKey(tx, tenantId, id);
}
