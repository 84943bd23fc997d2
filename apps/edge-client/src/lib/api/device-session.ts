// Device enrolment, kept apart from the rest of the kiosk: a one-time code
// (from an admin's `createDeviceEnrolment`) is exchanged once with
// `enrolDevice` for a DeviceSession: a short-lived access token (`psd_…`, ≈15
// min) used exactly like an API key, and a single-use refresh token (`psr_…`)
// that `refreshDeviceSession` rotates. The session lives in localStorage per API,
// so a rebooted kiosk stays enrolled; the newest refresh token is stored before
// the new access token is used (a rotated token presented twice revokes the
// enrolment). Both mutations are called without credentials.
import { ApiError, apiErrorCodeFrom } from './api-error.js';
import type { Credentials } from './credentials.js';

export interface DeviceSession {
  accessToken: string;
  /** ISO 8601. */
  accessTokenExpiresAt: string;
  refreshToken: string;
  device: { id: string; name: string; role?: string; galleryIds?: string[] };
}

const STORAGE_PREFIX = 'person-search-kiosk:device-session:';
/** Refresh this long before expiry, so a request never leaves with a token that dies on the way. */
const REFRESH_MARGIN_MS = 60_000;

const SESSION_FIELDS = 'accessToken accessTokenExpiresAt refreshToken device { id name role galleryIds }';
const ENROL = `mutation EnrolDevice($code: String!) { enrolDevice(code: $code) { ${SESSION_FIELDS} } }`;
const REFRESH = `mutation RefreshDeviceSession($refreshToken: String!) { refreshDeviceSession(refreshToken: $refreshToken) { ${SESSION_FIELDS} } }`;

async function anonymousMutation<T>(apiBase: string, query: string, variables: Record<string, string>, field: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiBase}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch (cause) {
    throw new ApiError('NETWORK', 'No connection to the server', { cause });
  }
  const body = (await response.json().catch(() => ({}))) as { data?: Record<string, T> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  const first = body.errors?.[0];
  if (first) throw new ApiError(apiErrorCodeFrom(first.extensions?.code, response.status), first.message);
  const value = body.data?.[field];
  if (!value) throw new ApiError(apiErrorCodeFrom(undefined, response.status), `HTTP ${response.status}`);
  return value;
}

export function storedDeviceSession(apiBase: string): DeviceSession | null {
  try {
    const stored = localStorage.getItem(STORAGE_PREFIX + apiBase);
    return stored ? (JSON.parse(stored) as DeviceSession) : null;
  } catch {
    return null;
  }
}

function storeDeviceSession(apiBase: string, session: DeviceSession | null): void {
  if (session) localStorage.setItem(STORAGE_PREFIX + apiBase, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_PREFIX + apiBase);
}

/** Exchanges an enrolment code (case, spaces and dashes ignored by the server) and stores the session. */
export async function enrolDevice(apiBase: string, code: string): Promise<DeviceSession> {
  const session = await anonymousMutation<DeviceSession>(apiBase, ENROL, { code: code.trim() }, 'enrolDevice');
  storeDeviceSession(apiBase, session);
  return session;
}

export function forgetDeviceSession(apiBase: string): void {
  storeDeviceSession(apiBase, null);
}

/** Credentials from the stored session; one refresh at a time per element (concurrent requests share it). */
export function deviceSessionCredentials(apiBase: string): Credentials {
  let refreshing: Promise<boolean> | null = null;

  const refresh = (): Promise<boolean> => {
    refreshing ??= (async () => {
      const current = storedDeviceSession(apiBase);
      if (!current) return false;
      try {
        storeDeviceSession(apiBase, await anonymousMutation<DeviceSession>(apiBase, REFRESH, { refreshToken: current.refreshToken }, 'refreshDeviceSession'));
        return true;
      } catch (error) {
        // A refused refresh token is final (revoked or reused): the kiosk must be enrolled again.
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') forgetDeviceSession(apiBase);
        return false;
      }
    })().finally(() => (refreshing = null));
    return refreshing;
  };

  return {
    kind: 'device',
    async bearer() {
      const session = storedDeviceSession(apiBase);
      if (!session) return '';
      if (Date.parse(session.accessTokenExpiresAt) - Date.now() < REFRESH_MARGIN_MS) await refresh();
      return storedDeviceSession(apiBase)?.accessToken ?? '';
    },
    renew: refresh,
  };
}
