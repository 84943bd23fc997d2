// Who is calling, as derived by the server from the credentials (never from
// client-supplied ids), and the access checks services run on their first line.
import { forbidden, unauthenticated } from '../errors.js';

export type Role = 'ADMIN' | 'DEVICE' | 'SEARCH';

export interface KeyPrincipal {
  kind: 'key';
  tenantId: string;
  keyId: string;
  role: Role;
  /** Galleries the key is limited to; null = every gallery of the tenant. */
  galleryScope: readonly string[] | null;
  /** Set when the credential is an enrolled device's access token (then keyId is the device id too). */
  deviceId?: string;
}

export interface OperatorPrincipal {
  kind: 'operator';
}

export type Principal = KeyPrincipal | OperatorPrincipal | { kind: 'anonymous' };

export function requireKey(actor: Principal, ...roles: Role[]): KeyPrincipal {
  if (actor.kind !== 'key') throw unauthenticated();
  if (roles.length > 0 && !roles.includes(actor.role)) {
    throw forbidden(`this needs a key with role ${roles.join(' or ')}; yours is ${actor.role}`);
  }
  return actor;
}

export function requireOperator(actor: Principal): OperatorPrincipal {
  if (actor.kind === 'key') throw forbidden('only the operator token may do this');
  if (actor.kind !== 'operator') throw unauthenticated('the operator token is required (Authorization: Bearer <OPERATOR_TOKEN>)');
  return actor;
}

export function canUseGallery(actor: KeyPrincipal, galleryId: string): boolean {
  return actor.galleryScope === null || actor.galleryScope.includes(galleryId);
}

export function requireGallery(actor: KeyPrincipal, galleryId: string): void {
  if (!canUseGallery(actor, galleryId)) throw forbidden(`this key is not allowed to use gallery ${galleryId}`);
}

/** DEVICE keys write frames but never read them back (frames, crops, search results): see the README's role table. */
export function canReadFrames(actor: Principal): actor is KeyPrincipal {
  return actor.kind === 'key' && actor.role !== 'DEVICE';
}

/**
 * Whether a set of galleries lies within the caller's scope. An empty set
 * means "every gallery of the tenant" (unscoped keys, tenant-wide audit rows),
 * which only an unscoped caller covers.
 */
export function coversGalleries(actor: KeyPrincipal, galleryIds: readonly string[]): boolean {
  if (actor.galleryScope === null) return true;
  return galleryIds.length > 0 && galleryIds.every((id) => actor.galleryScope!.includes(id));
}

/** Tenant-wide actions (new galleries, devices, unscoped keys) are for unscoped keys only. */
export function requireUnscoped(actor: KeyPrincipal, what: string): void {
  if (actor.galleryScope !== null) throw forbidden(`a key limited to galleries cannot ${what}`);
}

/**
 * The galleries a search may cover: the requested ones intersected with the
 * key's scope (requesting a gallery outside the scope is FORBIDDEN, not
 * silently dropped); null = no gallery filter.
 */
export function galleriesInScope(actor: KeyPrincipal, requested: readonly string[] | null | undefined): readonly string[] | null {
  if (requested && requested.length > 0) {
    for (const galleryId of requested) requireGallery(actor, galleryId);
    return requested;
  }
  return actor.galleryScope;
}
