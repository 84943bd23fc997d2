import { describe, expect, it } from 'vitest';
import { roleProblem, setupErrorText } from '../ui/setup-view.js';
import { ApiError } from './api-error.js';
import { classifySecret } from './credentials.js';

describe('setup screen input', () => {
  it('tells keys, device tokens and enrolment codes apart', () => {
    expect(classifySecret(' psk_ab12_SECRETsecret ')).toBe('api-key');
    expect(classifySecret('psd_ab12_secret')).toBe('device-token');
    expect(classifySecret('abcd-efgh-jkmn')).toBe('enrolment-code');
    expect(classifySecret('ABCD EFGH JKMN')).toBe('enrolment-code');
    expect(classifySecret('hello')).toBe('unknown');
  });

  it('says what is wrong in plain words', () => {
    expect(setupErrorText(new ApiError('UNAUTHENTICATED', 'invalid API key'), 'key', 'http://api')).toMatch(/did not accept this key/);
    expect(setupErrorText(new ApiError('UNAUTHENTICATED', 'x'), 'code', 'http://api')).toMatch(/expired or already used/);
    expect(setupErrorText(new ApiError('NETWORK', 'x'), 'key', 'http://api')).toBe('Cannot reach the server at http://api. Check the network, and that the address is right.');
    expect(roleProblem('capture', 'SEARCH')).toMatch(/capturing needs a device key/);
    expect(roleProblem('search', 'DEVICE')).toMatch(/searching needs a search key/);
    expect(roleProblem('capture', 'DEVICE')).toBeNull();
    expect(roleProblem('search', 'ADMIN')).toBeNull();
  });
});
