// Unguessable, expiring URLs for stored images and crops, so that an <img>
// tag (which cannot send an API key) can show them. The signature covers the
// tenant, the object, the expiry and the API key that minted the URL; the
// route re-checks that the object exists in that tenant (RLS) and that the
// key is not revoked, so revoking a key also ends the URLs it handed out.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedObject = 'image' | 'crop';

/** The credential minting a URL: an API key binds the URL to itself; a device token (deviceId set) does not. */
export interface UrlMinter {
  tenantId: string;
  keyId: string;
  deviceId?: string;
}

export interface VerifiedUrl {
  /** The API key that minted the URL; null for URLs minted without one (device tokens: bounded by the TTL alone). */
  keyId: string | null;
}

export class UrlSigner {
  /** Expiries are rounded down to this step, so repeated reads within it give the same URL (browser cache). */
  readonly #stepSeconds: number;

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.#stepSeconds = Math.max(1, Math.min(300, Math.floor(ttlSeconds / 10)));
  }

  #signature(kind: SignedObject, tenantId: string, id: string, expires: number, keyId: string | null): string {
    const payload = `${kind}:${tenantId}:${id}:${expires}${keyId ? `:key=${keyId}` : ''}`;
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /**
   * A path with query (`/v1/images/…?expires=…&key=…&signature=…`), to be
   * joined to the public base URL. The expiry is at most the TTL from now
   * (rounded down to a step of ≤ 5 minutes, never up).
   */
  path(kind: SignedObject, minter: UrlMinter, id: string, nowMs = Date.now()): string {
    const { tenantId } = minter;
    const keyId = minter.deviceId ? null : minter.keyId;
    const nowSeconds = nowMs / 1000;
    const expires = Math.floor((nowSeconds + this.ttlSeconds) / this.#stepSeconds) * this.#stepSeconds;
    const route = kind === 'image' ? 'images' : 'crops';
    const key = keyId ? `&key=${encodeURIComponent(keyId)}` : '';
    return `/v1/${route}/${tenantId}/${id}?expires=${expires}${key}&signature=${this.#signature(kind, tenantId, id, expires, keyId)}`;
  }

  /** The URL's minting key when the signature is valid and unexpired; null otherwise. The caller checks the key is not revoked. */
  verify(kind: SignedObject, tenantId: string, id: string, query: URLSearchParams, nowMs = Date.now()): VerifiedUrl | null {
    const expires = query.get('expires');
    const signature = query.get('signature');
    const keyId = query.get('key');
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return null;
    if (Number(expires) * 1000 < nowMs) return null;
    const expected = Buffer.from(this.#signature(kind, tenantId, id, Number(expires), keyId));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return null;
    return { keyId };
  }
}
