// What the server trusts from a request line and its Host header. Request
// targets are parsed without ever throwing (a bad one is BAD_USER_INPUT, not
// a crashed process), and the base of every URL the API hands out (signed
// image/crop URLs, model URLs) comes from PUBLIC_URL, an allow-listed Host, or
// a loopback Host on a loopback listener, never from an unvetted header.
import { isIP } from 'node:net';
import { badInput } from '../errors.js';
import { ConfigError } from '../config.js';

/**
 * The request target as a URL. Origin-form (`/path?q`) is parsed against a
 * fixed base so `//host/x` stays a path; absolute-form (`http://h/path`,
 * which HTTP/1.1 servers must accept) keeps only its path and query.
 */
export function parseRequestTarget(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    if (raw.startsWith('/')) return new URL(`http://localhost${raw}`);
    const absolute = new URL(raw);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') throw new Error('not http');
    return new URL(`http://localhost${absolute.pathname}${absolute.search}`);
  } catch {
    throw badInput('url', 'the request target is not a valid URL');
  }
}

const loopbackNames = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (loopbackNames.has(name) || name.endsWith('.localhost')) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** `host[:port]` split; null when it is not a plausible Host header value. */
function splitHostHeader(value: string): { name: string; port: string | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value);
  if (!match) return null;
  if (match[2] !== undefined && Number(match[2]) > 65535) return null;
  return { name: match[1]!.toLowerCase(), port: match[2] ?? null };
}

export interface PublicUrlPolicy {
  /** The base (`http://host:port`, no trailing slash) for URLs handed to this request's caller. */
  baseUrlFor(hostHeader: string | undefined): string;
}

/**
 * Decides, once at start, where returned URLs may point. Refuses to start on a
 * non-loopback listener with neither PUBLIC_URL nor ALLOWED_HOSTS: there any
 * client could make the API hand out URLs to a host of its choosing.
 */
export function createPublicUrlPolicy(options: { publicUrl: string | undefined; allowedHosts: readonly string[]; listenHost: string; listeningUrl: () => string }): PublicUrlPolicy {
  const { publicUrl, listeningUrl } = options;
  if (publicUrl) return { baseUrlFor: () => publicUrl };
  const allowed = options.allowedHosts.map((entry) => entry.toLowerCase());
  const loopbackListener = isLoopbackHost(options.listenHost);
  if (allowed.length === 0 && !loopbackListener) {
    throw new ConfigError(
      `HOST=${options.listenHost} is not loopback: set PUBLIC_URL (the URL clients reach this server at) or ALLOWED_HOSTS (Host header values to trust, e.g. "kiosk-server.lan:4000"), so returned URLs cannot be pointed elsewhere by a request's Host header`,
    );
  }
  return {
    baseUrlFor(hostHeader) {
      const parsed = hostHeader ? splitHostHeader(hostHeader.trim()) : null;
      if (!parsed) return listeningUrl();
      const value = parsed.port ? `${parsed.name}:${parsed.port}` : parsed.name;
      // An allow-list entry without a port admits that name on any port.
      const trusted = allowed.length > 0 ? allowed.includes(value) || allowed.includes(parsed.name) : isLoopbackHost(parsed.name);
      return trusted ? `http://${value}` : listeningUrl();
    },
  };
}
