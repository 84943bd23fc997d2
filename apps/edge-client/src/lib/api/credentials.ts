// What the kiosk sends as `Authorization: Bearer`: a fixed API key (`psk_…`), or
// a device session's short-lived access token (`psd_…`, see device-session.ts)
// that is refreshed before it expires and once more when the server says
// UNAUTHENTICATED. Everything that talks to the API asks for the bearer here.

export interface Credentials {
  readonly kind: 'none' | 'key' | 'device';
  /** The bearer for the next request ('' when the kiosk is not set up). */
  bearer(): Promise<string>;
  /** After an UNAUTHENTICATED answer: try to get a fresh bearer; false when there is none to get. */
  renew(): Promise<boolean>;
}

export function apiKeyCredentials(key: string): Credentials {
  return {
    kind: key ? 'key' : 'none',
    bearer: async () => key,
    renew: async () => false,
  };
}

/** An enrolment code (`XXXX-XXXX-XXXX`, case, spaces and dashes ignored), as opposed to a key or token. */
export function looksLikeEnrolmentCode(text: string): boolean {
  return /^[A-Z2-9]{12}$/i.test(text.replace(/[\s-]/g, ''));
}

/** Pure: what the setup screen was given, in words it can act on. */
export function classifySecret(text: string): 'api-key' | 'device-token' | 'enrolment-code' | 'unknown' {
  const value = text.trim();
  if (/^psk_[\w-]+$/.test(value)) return 'api-key';
  if (/^ps[dr]_[\w-]+$/.test(value)) return 'device-token';
  if (looksLikeEnrolmentCode(value)) return 'enrolment-code';
  return 'unknown';
}
