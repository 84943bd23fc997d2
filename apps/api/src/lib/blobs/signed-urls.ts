// Unguessable, expiring URLs for stored images and crops, so that an <img>
// tag (which cannot send an API key) can show them. The signature covers the
// tenant, the object and the expiry; the route re-checks the object exists in
// that tenant (RLS) before serving it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedObject = 'image' | 'crop';

export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  #signature(kind: SignedObject, tenantId: string, id: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${kind}:${tenantId}:${id}:${expires}`).digest('base64url');
  }

  /** A path with query (`/v1/images/…?expires=…&signature=…`), to be joined to the public base URL. */
  path(kind: SignedObject, tenantId: string, id: string, nowMs = Date.now()): string {
    // Expiry rounded up to the TTL bucket so that repeated reads give the same URL (browser cache).
    const ttlMs = this.ttlSeconds * 1000;
    const expires = Math.ceil((nowMs + ttlMs) / ttlMs) * this.ttlSeconds;
    const route = kind === 'image' ? 'images' : 'crops';
    return `/v1/${route}/${tenantId}/${id}?expires=${expires}&signature=${this.#signature(kind, tenantId, id, expires)}`;
  }

  verify(kind: SignedObject, tenantId: string, id: string, expires: string | null, signature: string | null, nowMs = Date.now()): boolean {
    if (!expires || !signature || !/^\d+$/.test(expires)) return false;
    if (Number(expires) * 1000 < nowMs) return false;
    const expected = Buffer.from(this.#signature(kind, tenantId, id, Number(expires)));
    const presented = Buffer.from(signature);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  }
}
