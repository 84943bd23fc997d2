// Device credentials: one-time enrolment codes and access/refresh tokens.
// Tokens look like API keys (`psd_<prefix>_<secret>` for access,
// `psr_<prefix>_<secret>` for refresh): the prefix is stored in clear for the
// lookup, the 256-bit secret only as its SHA-256 (nothing to brute-force, so no
// stretching). Codes are typed by people: 12 characters from 32 unambiguous
// ones (60 bits), short-lived, single-use, and attempts are rate limited, so a
// plain SHA-256 of the normalised code is enough to look them up.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { hashSecret } from './api-key.js';

export type DeviceTokenKind = 'access' | 'refresh';

const tokenPrefixes: Record<DeviceTokenKind, string> = { access: 'psd', refresh: 'psr' };
const tokenPattern = /^(psd|psr)_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** No 0/O, 1/I: a code read off one screen and typed on another must not be ambiguous. */
export const ENROLMENT_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const CODE_LENGTH = 12;

export interface IssuedDeviceToken {
  kind: DeviceTokenKind;
  /** The full token, handed to the device once. */
  secret: string;
  prefix: string;
  secretHash: string;
}

export function issueDeviceToken(kind: DeviceTokenKind): IssuedDeviceToken {
  const prefix = randomBytes(8).toString('hex').slice(0, 12);
  const secretPart = randomBytes(32).toString('base64url');
  return { kind, secret: `${tokenPrefixes[kind]}_${prefix}_${secretPart}`, prefix, secretHash: hashSecret(secretPart) };
}

export function parseDeviceToken(token: string): { kind: DeviceTokenKind; prefix: string; secretPart: string } | null {
  const match = tokenPattern.exec(token);
  if (!match) return null;
  return { kind: match[1] === 'psd' ? 'access' : 'refresh', prefix: match[2]!, secretPart: match[3]! };
}

export function isDeviceAccessToken(credential: string): boolean {
  return credential.startsWith('psd_');
}

/** A fresh code, grouped for reading: `ABCD-EFGH-JKLM`. */
export function issueEnrolmentCode(): { code: string; codeHash: string } {
  const chars = Array.from({ length: CODE_LENGTH }, () => ENROLMENT_CODE_ALPHABET[randomInt(ENROLMENT_CODE_ALPHABET.length)]!);
  const code = [0, 4, 8].map((start) => chars.slice(start, start + 4).join('')).join('-');
  return { code, codeHash: hashNormalisedCode(chars.join('')) };
}

/** Case, spaces and dashes are ignored; null when the input cannot be a code (no lookup needed). */
export function normaliseEnrolmentCode(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  if (compact.length !== CODE_LENGTH) return null;
  for (const char of compact) if (!ENROLMENT_CODE_ALPHABET.includes(char)) return null;
  return compact;
}

export function enrolmentCodeHash(input: string): string | null {
  const normalised = normaliseEnrolmentCode(input);
  return normalised === null ? null : hashNormalisedCode(normalised);
}

function hashNormalisedCode(normalised: string): string {
  return createHash('sha256').update(`enrolment:${normalised}`).digest('hex');
}
