// Starts the real API in-process on an ephemeral port, on embedded PGlite (in
// memory) or on a fresh Postgres database created from TEST_DATABASE_URL, and
// talks to it over HTTP with the schema's typed documents.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pg from 'pg';
import { createApp, type AppContext } from '../../src/lib/app.js';
import { loadConfig, type Config } from '../../src/lib/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { startHttpServer } from '../../src/lib/http/server.js';

export type Backend = 'pglite' | 'postgres';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

export interface GraphqlResponse<T> {
  status: number;
  data: T | null | undefined;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string } }[];
}

export interface TestServer {
  url: string;
  app: AppContext;
  dataDir: string;
  gql<T, V>(document: TypedDocumentNode<T, V>, variables: V, credential?: string): Promise<GraphqlResponse<T>>;
  /** The same request with a query written inline (aliases, literals, fields no client document has): data untyped. */
  post(query: string, variables?: Record<string, unknown>, credential?: string): Promise<GraphqlResponse<any>>;
  putBlob(bytes: Uint8Array, contentType: string, credential?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Backends to run a suite on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh database on TEST_DATABASE_URL's server, and its drop (WITH (FORCE): open connections are ended). */
export async function createPostgresDatabase(prefix = 'person_search_api'): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestServer(options: { backend?: Backend; modelsDir?: string; overrides?: Partial<Config>; env?: Record<string, string> } = {}): Promise<TestServer> {
  const backend = options.backend ?? 'pglite';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'person-search-api-'));
  const postgres = backend === 'postgres' ? await createPostgresDatabase() : null;
  const base = loadConfig({
    DATA_DIR: dataDir,
    OPERATOR_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...(options.modelsDir ? { MODELS_DIR: options.modelsDir } : {}),
    ...options.env,
  });
  const config: Config = { ...base, port: 0, host: '127.0.0.1', worker: { ...base.worker, inProcess: false }, ...options.overrides };
  const app = await createApp(config, { log: createLogger(config.logLevel), dataDirForDatabase: postgres ? dataDir : 'memory://' });
  const running = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  const post: TestServer['post'] = async (query, variables = {}, credential) => {
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: never; errors?: GraphqlResponse<never>['errors'] };
    return { status: response.status, data: body.data, ...(body.errors ? { errors: body.errors } : {}) };
  };

  return {
    url: running.url,
    app,
    dataDir,
    post,
    gql: (document, variables, credential) => post(print(document), variables as Record<string, unknown>, credential),
    async putBlob(bytes, contentType, credential) {
      const response = await fetch(`${running.url}/v1/blobs`, {
        method: 'PUT',
        headers: { 'content-type': contentType, ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async close() {
      await running.close();
      await app.close();
      await postgres?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An opaque page cursor as the API encodes it (base64url of [timestamp, id]), for tests that forge one. */
export function cursorOf(timestamp: string, id = '00000000-0000-4000-8000-000000000000'): string {
  return Buffer.from(JSON.stringify([timestamp, id])).toString('base64url');
}

/** The error codes of a GraphQL response, for compact assertions. */
export function errorCodes(response: GraphqlResponse<unknown>): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
