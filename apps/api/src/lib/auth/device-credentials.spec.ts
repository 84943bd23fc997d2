import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from './attempt-limiter.js';
import { ENROLMENT_CODE_ALPHABET, enrolmentCodeHash, issueDeviceToken, issueEnrolmentCode, normaliseEnrolmentCode, parseDeviceToken } from './device-credentials.js';
import { hashSecret } from './api-key.js';

describe('enrolment codes', () => {
  it('are 12 unambiguous characters in three groups, and differ per call', () => {
    const codes = Array.from({ length: 200 }, () => issueEnrolmentCode().code);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ENROLMENT_CODE_ALPHABET).not.toMatch(/[01IO]/);
  });

  it('hash the same whatever the case, spaces or dashes typed', () => {
    const { code, codeHash } = issueEnrolmentCode();
    expect(enrolmentCodeHash(code.toLowerCase().replaceAll('-', ' '))).toBe(codeHash);
    expect(enrolmentCodeHash(` ${code.replaceAll('-', '')} `)).toBe(codeHash);
  });

  it('reject inputs that cannot be a code without hashing them', () => {
    for (const input of ['', 'ABCD-EFGH-JKL', 'ABCD-EFGH-JKLMN', 'ABCD-EFGH-JKL0', 'ABCD-EFGH-JKLO', 'ABCD\u0000EFGH-JKLM']) {
      expect(normaliseEnrolmentCode(input)).toBeNull();
      expect(enrolmentCodeHash(input)).toBeNull();
    }
  });
});

describe('device tokens', () => {
  it('round-trip through parse with their kind, and store only the secret hash', () => {
    for (const kind of ['access', 'refresh'] as const) {
      const issued = issueDeviceToken(kind);
      expect(issued.secret.startsWith(kind === 'access' ? 'psd_' : 'psr_')).toBe(true);
      const parsed = parseDeviceToken(issued.secret)!;
      expect(parsed).toMatchObject({ kind, prefix: issued.prefix });
      expect(hashSecret(parsed.secretPart)).toBe(issued.secretHash);
      expect(issued.secret).not.toContain(issued.secretHash);
    }
  });

  it('refuse API keys and malformed strings', () => {
    const token = issueDeviceToken('access').secret;
    for (const input of [token.replace('psd_', 'psk_'), `${token}x`, token.slice(0, -1), 'psd__', '']) expect(parseDeviceToken(input)).toBeNull();
  });
});

describe('AttemptLimiter', () => {
  it('locks an address after its failures until the window ends, leaving other addresses alone', () => {
    let now = 0;
    const limiter = new AttemptLimiter({ perAddress: 3, global: 100, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.lockedForMs('a')).toBe(0);
      limiter.recordFailure('a');
    }
    expect(limiter.lockedForMs('a')).toBe(60_000);
    expect(limiter.lockedForMs('b')).toBe(0);
    now = 59_999;
    expect(limiter.lockedForMs('a')).toBe(1);
    now = 60_000;
    expect(limiter.lockedForMs('a')).toBe(0);
  });

  it('locks everyone when failures from all addresses reach the global ceiling', () => {
    const limiter = new AttemptLimiter({ perAddress: 100, global: 5, windowMs: 1000 }, () => 0);
    for (let i = 0; i < 5; i++) limiter.recordFailure(`address-${i}`);
    expect(limiter.lockedForMs('fresh')).toBe(1000);
  });
});
