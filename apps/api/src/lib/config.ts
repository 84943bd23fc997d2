// The API's configuration: one object, validated once from the environment.
// Every variable is documented in the README's configuration table; defaults
// give an embedded setup (PGlite under DATA_DIR, models under MODELS_DIR).
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_STUDENT_GRAPH } from '@person-search/db';

/** The repository root (apps/api/src/lib → four levels up). */
export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

const integer = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const optionalText = z.string().trim().min(1).optional().catch(undefined);

const environmentSchema = z.object({
  PORT: integer(4000, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  ALLOWED_HOSTS: z.string().default('').transform((value) => value.split(',').map((host) => host.trim()).filter(Boolean)),
  HTTP_HEADERS_TIMEOUT_MS: integer(10_000, 500, 300_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(120_000, 1000, 3_600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(5000, 100, 300_000),
  // Unset: 'keys' (only authenticated callers may introspect) when NODE_ENV=production, else 'public'.
  GRAPHQL_INTROSPECTION: z.enum(['public', 'keys', 'off']).optional(),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  MODELS_DIR: z.string().default(path.join(repoRoot, '.models')),
  STUDENT_MODEL_ID: z.string().regex(/^[a-z0-9-]+$/).default('default-student'),
  TEACHER_MODEL_ID: z.string().regex(/^[a-z0-9-]+$/).default('default-teacher'),
  ORT_EXECUTION_PROVIDERS: z.string().default('cpu'),
  OPERATOR_TOKEN: z.string().min(16, 'OPERATOR_TOKEN must be at least 16 characters').optional().or(z.literal('').transform(() => undefined)),
  URL_SIGNING_SECRET: optionalText,
  SIGNED_URL_TTL_SECONDS: integer(3600, 60, 7 * 24 * 3600),
  // Capped at 5 s: the documented bound for a key revoked through another replica to be refused.
  API_KEY_CACHE_SECONDS: integer(5, 0, 5),
  DEVICE_TOKEN_TTL_SECONDS: integer(900, 10, 24 * 3600),
  DEVICE_REFRESH_TTL_SECONDS: integer(30 * 24 * 3600, 60, 365 * 24 * 3600),
  DEVICE_ENROLMENT_MAX_FAILURES: integer(10, 1, 100_000),
  MAX_BODY_BYTES: integer(2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  MAX_IMAGE_BYTES: integer(15 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  MAX_IMAGE_PIXELS: integer(40_000_000, 1024, 400_000_000),
  MAX_IMAGE_SIDE: integer(16_384, 64, 100_000),
  IMAGE_DECODE_TIMEOUT_SECONDS: integer(10, 1, 600),
  MAX_DETECTIONS_PER_FRAME: integer(100, 1, 1000),
  MAX_TOP_K: integer(200, 1, 200),
  MAX_CANDIDATE_POOL: integer(2000, 1, 2000),
  SEARCH_TEACHER_BUDGET_MS: integer(1500, 0, 60_000),
  SEARCH_SCAN_CONNECTIONS: integer(2, 1, 16),
  // The student's HNSW graph (pgvector m / ef_construction), used when its index is built.
  HNSW_M: integer(DEFAULT_STUDENT_GRAPH.m, 2, 100),
  HNSW_EF_CONSTRUCTION: integer(DEFAULT_STUDENT_GRAPH.efConstruction, 4, 1000),
  MAX_QUERY_DEPTH: integer(10, 2, 50),
  MAX_QUERY_COMPLEXITY: integer(5000, 10, 100_000),
  RATE_LIMIT_PER_MINUTE: integer(1200, 0, 1_000_000),
  // 'auto': shared across replicas when DATABASE_URL is set (PGlite serves one process anyway).
  RATE_LIMIT_SHARED: z.enum(['auto', 'true', 'false']).default('auto'),
  WORKER_BATCH_SIZE: integer(16, 1, 256),
  WORKER_POLL_MS: integer(1000, 10, 60_000),
  WORKER_MAX_ATTEMPTS: integer(5, 1, 100),
  WORKER_LEASE_SECONDS: integer(30, 3, 3600),
  WORKER_IN_PROCESS: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Limits {
  bodyBytes: number;
  imageBytes: number;
  imagePixels: number;
  /** Longest side in pixels: a 1×40M strip is within the pixel limit yet takes seconds per decode. */
  imageSide: number;
  /** An upload must fully decode within this many seconds. */
  imageDecodeSeconds: number;
  detectionsPerFrame: number;
  topK: number;
  candidatePool: number;
  /** Milliseconds a search may spend computing missing teacher vectors; candidates past it are skipped, not waited for. */
  searchTeacherBudgetMs: number;
  /** Connections an exact stage-1 scan of many rows may run on at once, by time slices, when they are free (1 = one). */
  searchScanConnections: number;
  queryDepth: number;
  queryComplexity: number;
  requestsPerMinute: number;
  /** Whether requestsPerMinute holds across replicas (a bucket table in the database) or per replica. */
  sharedRateLimit: boolean;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  /** Host header values trusted as the base of returned URLs when PUBLIC_URL is unset. */
  allowedHosts: string[];
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Who may run `__schema`/`__type` queries: anyone, API keys and the operator only, or nobody. */
  introspection: 'public' | 'keys' | 'off';
  databaseUrl: string | undefined;
  dataDir: string;
  modelsDir: string;
  studentModelId: string;
  teacherModelId: string;
  executionProviders: string[];
  operatorToken: string | undefined;
  urlSigningSecret: string | undefined;
  signedUrlTtlSeconds: number;
  /** How long a looked-up API key is trusted without asking the database again (revocation in this process evicts at once). */
  apiKeyCacheMs: number;
  limits: Limits;
  /** The student's HNSW graph options (HNSW_M, HNSW_EF_CONSTRUCTION), used when its index is built. */
  studentGraph: { m: number; efConstruction: number };
  worker: { batchSize: number; pollMs: number; maxAttempts: number; inProcess: boolean; leaseSeconds: number };
  /** Lifetimes of enrolled devices' access and refresh tokens. */
  deviceTokens: { accessTtlSeconds: number; refreshTtlSeconds: number; maxFailuresPerAddress: number };
  logLevel: string;
}

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const env = parsed.data;
  if (env.HNSW_EF_CONSTRUCTION < 2 * env.HNSW_M) {
    throw new ConfigError(`invalid configuration:\n  HNSW_EF_CONSTRUCTION: must be at least 2 × HNSW_M (${2 * env.HNSW_M}), got ${env.HNSW_EF_CONSTRUCTION}`);
  }
  return {
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.PUBLIC_URL?.replace(/\/$/, ''),
    allowedHosts: env.ALLOWED_HOSTS,
    http: { headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS },
    introspection: env.GRAPHQL_INTROSPECTION ?? (env.NODE_ENV === 'production' ? 'keys' : 'public'),
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    modelsDir: path.resolve(env.MODELS_DIR),
    studentModelId: env.STUDENT_MODEL_ID,
    teacherModelId: env.TEACHER_MODEL_ID,
    executionProviders: env.ORT_EXECUTION_PROVIDERS.split(',').map((name) => name.trim()).filter(Boolean),
    operatorToken: env.OPERATOR_TOKEN,
    urlSigningSecret: env.URL_SIGNING_SECRET,
    signedUrlTtlSeconds: env.SIGNED_URL_TTL_SECONDS,
    apiKeyCacheMs: env.API_KEY_CACHE_SECONDS * 1000,
    studentGraph: { m: env.HNSW_M, efConstruction: env.HNSW_EF_CONSTRUCTION },
    limits: {
      bodyBytes: env.MAX_BODY_BYTES,
      imageBytes: env.MAX_IMAGE_BYTES,
      imagePixels: env.MAX_IMAGE_PIXELS,
      imageSide: env.MAX_IMAGE_SIDE,
      imageDecodeSeconds: env.IMAGE_DECODE_TIMEOUT_SECONDS,
      detectionsPerFrame: env.MAX_DETECTIONS_PER_FRAME,
      topK: env.MAX_TOP_K,
      candidatePool: env.MAX_CANDIDATE_POOL,
      searchTeacherBudgetMs: env.SEARCH_TEACHER_BUDGET_MS,
      searchScanConnections: env.SEARCH_SCAN_CONNECTIONS,
      queryDepth: env.MAX_QUERY_DEPTH,
      queryComplexity: env.MAX_QUERY_COMPLEXITY,
      requestsPerMinute: env.RATE_LIMIT_PER_MINUTE,
      sharedRateLimit: env.RATE_LIMIT_SHARED === 'auto' ? env.DATABASE_URL !== undefined : env.RATE_LIMIT_SHARED === 'true',
    },
    worker: {
      batchSize: env.WORKER_BATCH_SIZE,
      pollMs: env.WORKER_POLL_MS,
      maxAttempts: env.WORKER_MAX_ATTEMPTS,
      inProcess: env.WORKER_IN_PROCESS,
      leaseSeconds: env.WORKER_LEASE_SECONDS,
    },
    deviceTokens: {
      accessTtlSeconds: env.DEVICE_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.DEVICE_REFRESH_TTL_SECONDS,
      maxFailuresPerAddress: env.DEVICE_ENROLMENT_MAX_FAILURES,
    },
    logLevel: env.LOG_LEVEL,
    ...overrides,
  };
}
