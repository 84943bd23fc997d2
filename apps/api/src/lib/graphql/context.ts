// The per-request context: the caller, the services, the request's loaders
// and the public base URL (for signed image and crop links).
import type { Database } from '@person-search/db';
import type { KeyPrincipal, Principal } from '../auth/principal.js';
import { requireKey } from '../auth/principal.js';
import type { UrlSigner } from '../blobs/signed-urls.js';
import type { Config } from '../config.js';
import type { ModelRegistry } from '../inference/model-registry.js';
import type { Services } from '../services/index.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface RequestContext {
  actor: Principal;
  services: Services;
  models: ModelRegistry;
  config: Config;
  dbKind: Database['kind'];
  signer: UrlSigner;
  baseUrl: string;
  /** The peer address, for locking out repeated failed credential exchanges (enrolment codes). */
  clientAddress: string;
  /** Loaders for the caller's tenant; throws UNAUTHENTICATED for anonymous callers. */
  loaders(): Loaders;
  /** The caller as a key principal (UNAUTHENTICATED otherwise). */
  key(): KeyPrincipal;
}

export function createRequestContext(
  parts: { actor: Principal; services: Services; models: ModelRegistry; config: Config; db: Database; signer: UrlSigner; baseUrl: string; clientAddress: string },
): RequestContext {
  let loaders: Loaders | null = null;
  return {
    actor: parts.actor,
    services: parts.services,
    models: parts.models,
    config: parts.config,
    dbKind: parts.db.kind,
    signer: parts.signer,
    baseUrl: parts.baseUrl,
    clientAddress: parts.clientAddress,
    loaders: () => (loaders ??= createLoaders(parts.db, requireKey(parts.actor))),
    key: () => requireKey(parts.actor),
  };
}
