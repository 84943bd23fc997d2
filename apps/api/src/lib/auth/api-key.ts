// API key format and hashing. A key is `psk_<prefix>_<secret>`: the prefix is
// stored in clear and indexed (lookup), the secret only as its SHA-256. The
// secret carries 256 random bits, so a fast hash is enough (no password
// stretching needed: there is nothing to brute-force).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const keyPattern = /^psk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  /** The full key, shown to its owner once. */
  secret: string;
  prefix: string;
  secretHash: string;
}

export function issueApiKey(): IssuedKey {
  const prefix = randomBytes(8).toString('hex').slice(0, 12);
  const secretPart = randomBytes(32).toString('base64url');
  return { secret: `psk_${prefix}_${secretPart}`, prefix, secretHash: hashSecret(secretPart) };
}

export function parseApiKey(key: string): { prefix: string; secretPart: string } | null {
  const match = keyPattern.exec(key);
  return match ? { prefix: match[1]!, secretPart: match[2]! } : null;
}

export function hashSecret(secretPart: string): string {
  return createHash('sha256').update(secretPart).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secretPart: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secretPart), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Constant-time string equality for the operator token. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
