// Devices and their credentials: registration (role + galleries), one-time
// enrolment codes, the code → token exchange, refresh-token rotation with
// reuse detection, revocation, and authentication of device access tokens.
// The exchange and refresh take no credentials: they find the tenant from the
// code or token (system lookup, like API keys) and then work in the tenant's
// own transaction. Failures from one client address are locked out.
import { randomUUID } from 'node:crypto';
import type { DatabaseTransaction, Device, DeviceRole } from '@person-search/db';
import { secretMatches } from '../auth/api-key.js';
import { AttemptLimiter, enrolmentAttemptLimits } from '../auth/attempt-limiter.js';
import { enrolmentCodeHash, issueDeviceToken, issueEnrolmentCode, parseDeviceToken } from '../auth/device-credentials.js';
import { coversGalleries, requireKey, type KeyPrincipal, type Principal } from '../auth/principal.js';
import { AppError, badInput, notFound, unauthenticated } from '../errors.js';
import { insertAuditEntry } from '../repositories/audit-repository.js';
import {
  consumeEnrolment,
  deleteExpiredTokens,
  findDeviceTokenByPrefix,
  findEnrolmentByCodeHash,
  insertDevice,
  insertDeviceTokens,
  insertEnrolment,
  reactivateDevice,
  revokeDevice,
  revokeTokenFamily,
  rotateRefreshToken,
  touchDevice,
} from '../repositories/devices-repository.js';
import { findDevice, findGalleries } from '../repositories/galleries-repository.js';
import { isUuid } from '../repositories/ids.js';
import type { ServiceDeps } from './service-deps.js';

export interface DeviceSessionResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  device: Device;
}

const DEFAULT_ENROLMENT_TTL_SECONDS = 600;
/** `lastSeenAt` is kept to the minute, like an API key's `lastUsedAt`. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/** One message for wrong, expired and used codes: the answer must not tell them apart. */
const INVALID_CODE = 'the enrolment code is not valid';
const INVALID_REFRESH = 'the refresh token is not valid';

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw badInput('input.name', 'must be 1..200 characters');
  return trimmed;
}

export function createDeviceService({ db, config, log }: ServiceDeps) {
  const { accessTtlSeconds, refreshTtlSeconds, maxFailuresPerAddress } = config.deviceTokens;
  const attempts = new AttemptLimiter(enrolmentAttemptLimits(maxFailuresPerAddress));

  /** The device as a scoped admin may see it: outside its scope reads as absent. */
  async function deviceForAdmin(tx: DatabaseTransaction, admin: KeyPrincipal, id: string, field: string): Promise<Device> {
    const device = isUuid(id) ? await findDevice(tx, admin.tenantId, id) : null;
    if (!device || !coversGalleries(admin, device.galleryIds)) throw notFound('device', field);
    return device;
  }

  /** A fresh access + refresh pair in `familyId` (one chain per enrolment). */
  async function issueSession(tx: DatabaseTransaction, device: Device, familyId: string): Promise<DeviceSessionResult> {
    const now = Date.now();
    const access = issueDeviceToken('access');
    const refresh = issueDeviceToken('refresh');
    const accessTokenExpiresAt = new Date(now + accessTtlSeconds * 1000);
    await insertDeviceTokens(tx, device.tenantId, [
      { deviceId: device.id, familyId, kind: 'access', prefix: access.prefix, secretHash: access.secretHash, expiresAt: accessTokenExpiresAt },
      { deviceId: device.id, familyId, kind: 'refresh', prefix: refresh.prefix, secretHash: refresh.secretHash, expiresAt: new Date(now + refreshTtlSeconds * 1000) },
    ]);
    return { accessToken: access.secret, accessTokenExpiresAt, refreshToken: refresh.secret, device };
  }

  /** Refuses a locked-out address before any lookup, so a lock holds even for a correct credential. */
  function requireNotLockedOut(clientAddress: string): void {
    const waitMs = attempts.lockedForMs(clientAddress);
    if (waitMs > 0) throw new AppError('RATE_LIMITED', `too many failed attempts; try again in ${Math.ceil(waitMs / 1000)} s`);
  }

  function failed(clientAddress: string, message: string): AppError {
    attempts.recordFailure(clientAddress);
    return unauthenticated(message);
  }

  return {
    async register(actor: Principal, input: { name: string; role?: DeviceRole | null; galleryIds?: readonly string[] | null }): Promise<Device> {
      const admin = requireKey(actor, 'ADMIN');
      const name = checkName(input.name);
      const galleryIds = [...new Set(input.galleryIds ?? [])];
      galleryIds.forEach((id, index) => {
        if (!isUuid(id)) throw badInput(`input.galleryIds[${index}]`, 'is not a gallery id');
      });
      // A scoped admin registers devices only within its scope (never an all-galleries device).
      if (!coversGalleries(admin, galleryIds)) throw new AppError('FORBIDDEN', 'a key limited to galleries can only register devices limited to galleries within its scope');
      return db.withTenant(admin.tenantId, async (tx) => {
        const found = await findGalleries(tx, admin.tenantId, galleryIds);
        const missing = galleryIds.findIndex((id) => !found.some((gallery) => gallery.id === id));
        if (missing >= 0) throw notFound('gallery', `input.galleryIds[${missing}]`);
        const role = input.role ?? 'DEVICE';
        const device = await insertDevice(tx, admin.tenantId, { name, role, galleryIds }).catch((error: { code?: string }) => {
          if (error.code === 'P2002') throw badInput('input.name', `a device named ${JSON.stringify(name)} already exists`);
          throw error;
        });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'device.register', target: `device:${device.id}`, details: { name, role, galleryIds } });
        return device;
      });
    },

    async createEnrolment(actor: Principal, input: { deviceId: string; ttlSeconds?: number | null }): Promise<{ code: string; expiresAt: Date; device: Device }> {
      const admin = requireKey(actor, 'ADMIN');
      const ttlSeconds = input.ttlSeconds ?? DEFAULT_ENROLMENT_TTL_SECONDS;
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 86_400) throw badInput('input.ttlSeconds', 'must be between 60 and 86400 seconds');
      const { code, codeHash } = issueEnrolmentCode();
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      return db.withTenant(admin.tenantId, async (tx) => {
        const device = await deviceForAdmin(tx, admin, input.deviceId, 'input.deviceId');
        const enrolment = await insertEnrolment(tx, admin.tenantId, { deviceId: device.id, codeHash, expiresAt });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'device.enrolment.create', target: `device:${device.id}`, details: { enrolmentId: enrolment.id, expiresAt: expiresAt.toISOString() } });
        return { code, expiresAt, device };
      });
    },

    async enrol(code: string, clientAddress: string): Promise<DeviceSessionResult> {
      requireNotLockedOut(clientAddress);
      const codeHash = enrolmentCodeHash(code);
      const enrolment = codeHash ? await db.asSystem((tx) => findEnrolmentByCodeHash(tx, codeHash)) : null;
      if (!enrolment) throw failed(clientAddress, INVALID_CODE);
      const session = await db.withTenant(enrolment.tenantId, async (tx) => {
        // Conditional update: of two concurrent exchanges of one code, one wins.
        if (!(await consumeEnrolment(tx, enrolment.tenantId, enrolment.id))) return null;
        const device = await reactivateDevice(tx, enrolment.tenantId, enrolment.deviceId);
        const issued = await issueSession(tx, device, randomUUID());
        await insertAuditEntry(tx, enrolment.tenantId, { actorKeyId: null, action: 'device.enrol', target: `device:${device.id}`, details: { enrolmentId: enrolment.id, clientAddress } });
        return issued;
      });
      if (!session) throw failed(clientAddress, INVALID_CODE);
      return session;
    },

    async refresh(refreshToken: string, clientAddress: string): Promise<DeviceSessionResult> {
      requireNotLockedOut(clientAddress);
      const parsed = parseDeviceToken(refreshToken);
      const stored = parsed?.kind === 'refresh' ? await db.asSystem((tx) => findDeviceTokenByPrefix(tx, parsed.prefix)) : null;
      if (!parsed || !stored || stored.kind !== 'refresh' || !secretMatches(parsed.secretPart, stored.secretHash)) throw failed(clientAddress, INVALID_REFRESH);
      const { tenantId, familyId } = stored;
      const outcome = await db.withTenant(tenantId, async (tx) => {
        if (stored.revokedAt || stored.expiresAt.getTime() <= Date.now() || stored.device.revokedAt) return { kind: 'invalid' as const };
        if (!(await rotateRefreshToken(tx, tenantId, stored.id))) {
          // A rotated token presented again: someone else holds a copy of the chain. Kill all of it.
          const revoked = await revokeTokenFamily(tx, tenantId, familyId);
          await insertAuditEntry(tx, tenantId, { actorKeyId: null, action: 'device.refreshReuse', target: `device:${stored.deviceId}`, details: { familyId, revokedTokens: revoked, clientAddress } });
          return { kind: 'reused' as const };
        }
        await deleteExpiredTokens(tx, tenantId, familyId);
        return { kind: 'ok' as const, session: await issueSession(tx, stored.device, familyId) };
      });
      if (outcome.kind === 'reused') log.warn({ tenantId, deviceId: stored.deviceId, familyId }, 'device refresh token reused; its chain is revoked');
      if (outcome.kind !== 'ok') throw failed(clientAddress, INVALID_REFRESH);
      return outcome.session;
    },

    async revoke(actor: Principal, id: string): Promise<Device> {
      const admin = requireKey(actor, 'ADMIN');
      return db.withTenant(admin.tenantId, async (tx) => {
        const device = await deviceForAdmin(tx, admin, id, 'id');
        const revoked = await revokeDevice(tx, admin.tenantId, device.id);
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'device.revoke', target: `device:${device.id}` });
        return revoked;
      });
    },

    /** The caller's device (device tokens), or null for API keys. */
    async viewerDevice(actor: Principal): Promise<Device | null> {
      const { tenantId, deviceId } = requireKey(actor);
      if (!deviceId) return null;
      const device = await db.withTenant(tenantId, (tx) => findDevice(tx, tenantId, deviceId));
      if (!device) throw notFound('device');
      return device;
    },

    /**
     * An access token as a principal: the device's role and galleries, the
     * device id standing in for the key id (rate limit, audit). Checked on
     * every request, so revocation holds from the next one.
     */
    async authenticate(token: string): Promise<KeyPrincipal> {
      const parsed = parseDeviceToken(token);
      if (!parsed || parsed.kind !== 'access') throw unauthenticated('the device token is malformed');
      const stored = await db.asSystem((tx) => findDeviceTokenByPrefix(tx, parsed.prefix));
      if (!stored || stored.kind !== 'access' || !secretMatches(parsed.secretPart, stored.secretHash)) throw unauthenticated('the device token is not valid');
      if (stored.revokedAt || stored.device.revokedAt) throw unauthenticated('the device token has been revoked');
      if (stored.expiresAt.getTime() <= Date.now()) throw unauthenticated('the device token has expired; refresh it with refreshDeviceSession');
      const { device } = stored;
      if (!device.lastSeenAt || Date.now() - device.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
        await db.withTenant(device.tenantId, (tx) => touchDevice(tx, device.tenantId, device.id, LAST_SEEN_RESOLUTION_MS));
      }
      return {
        kind: 'key',
        tenantId: device.tenantId,
        keyId: device.id,
        deviceId: device.id,
        role: device.role,
        galleryScope: device.galleryIds.length > 0 ? device.galleryIds : null,
      };
    },
  };
}
export type DeviceService = ReturnType<typeof createDeviceService>;
