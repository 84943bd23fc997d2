// SQL for devices (registration, revocation) and their credentials: one-time
// enrolment codes and access/refresh tokens. Lookups by code hash or token
// prefix run as the system at authentication time (the tenant is not known
// yet); everything else runs in the tenant's transaction.
import type { DatabaseTransaction, Device, DeviceEnrolment, DeviceRole, DeviceToken, DeviceTokenKind } from '@person-search/db';

export function insertDevice(tx: DatabaseTransaction, tenantId: string, device: { name: string; role: DeviceRole; galleryIds: string[] }): Promise<Device> {
  return tx.device.create({ data: { tenantId, ...device } });
}

/** Marks the device revoked and every live token and unused code of it dead, in one transaction. */
export async function revokeDevice(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Device> {
  const now = new Date();
  await tx.deviceToken.updateMany({ where: { tenantId, deviceId: id, revokedAt: null }, data: { revokedAt: now } });
  await tx.deviceEnrolment.updateMany({ where: { tenantId, deviceId: id, usedAt: null }, data: { usedAt: now } });
  return tx.device.update({ where: { tenantId_id: { tenantId, id } }, data: { revokedAt: now } });
}

/** Records use, at most once per `minimumIntervalMs`: authentication must not write on every request. */
export async function touchDevice(tx: DatabaseTransaction, tenantId: string, id: string, minimumIntervalMs: number): Promise<void> {
  const now = new Date();
  await tx.device.updateMany({
    where: { tenantId, id, OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: new Date(now.getTime() - minimumIntervalMs) } }] },
    data: { lastSeenAt: now },
  });
}

export function reactivateDevice(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Device> {
  return tx.device.update({ where: { tenantId_id: { tenantId, id } }, data: { revokedAt: null } });
}

export function insertEnrolment(tx: DatabaseTransaction, tenantId: string, enrolment: { deviceId: string; codeHash: string; expiresAt: Date }): Promise<DeviceEnrolment> {
  return tx.deviceEnrolment.create({ data: { tenantId, ...enrolment } });
}

/** System lookup: the code hash is globally unique. */
export function findEnrolmentByCodeHash(tx: DatabaseTransaction, codeHash: string): Promise<DeviceEnrolment | null> {
  return tx.deviceEnrolment.findUnique({ where: { codeHash } });
}

/** Uses the code if it is still unused and unexpired; false when another exchange (or time) got there first. */
export async function consumeEnrolment(tx: DatabaseTransaction, tenantId: string, id: string): Promise<boolean> {
  const now = new Date();
  const { count } = await tx.deviceEnrolment.updateMany({ where: { tenantId, id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  return count === 1;
}

export interface NewDeviceToken {
  deviceId: string;
  familyId: string;
  kind: DeviceTokenKind;
  prefix: string;
  secretHash: string;
  expiresAt: Date;
}

export async function insertDeviceTokens(tx: DatabaseTransaction, tenantId: string, tokens: NewDeviceToken[]): Promise<void> {
  await tx.deviceToken.createMany({ data: tokens.map((token) => ({ tenantId, ...token })) });
}

export type DeviceTokenWithDevice = DeviceToken & { device: Device };

/** System lookup at authentication time: the prefix is globally unique. */
export function findDeviceTokenByPrefix(tx: DatabaseTransaction, prefix: string): Promise<DeviceTokenWithDevice | null> {
  return tx.deviceToken.findUnique({ where: { prefix }, include: { device: true } });
}

/** Marks a refresh token rotated if nobody did before; false = it was already used or revoked (reuse). */
export async function rotateRefreshToken(tx: DatabaseTransaction, tenantId: string, id: string): Promise<boolean> {
  const { count } = await tx.deviceToken.updateMany({ where: { tenantId, id, kind: 'refresh', usedAt: null, revokedAt: null }, data: { usedAt: new Date() } });
  return count === 1;
}

export async function revokeTokenFamily(tx: DatabaseTransaction, tenantId: string, familyId: string): Promise<number> {
  const { count } = await tx.deviceToken.updateMany({ where: { tenantId, familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}

/** Expired rows of a chain are dead weight once rotated past: dropped at each rotation so a chain stays small. */
export async function deleteExpiredTokens(tx: DatabaseTransaction, tenantId: string, familyId: string): Promise<void> {
  await tx.deviceToken.deleteMany({ where: { tenantId, familyId, expiresAt: { lt: new Date() } } });
}
