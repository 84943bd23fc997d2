// The shared rate limit on real databases: two limiters standing in for two
// API replicas admit about the limit together (two per-replica limiters admit
// twice it), a database that refuses, never answers or is cut off leaves each
// replica limiting on its own until it is back, and two real API servers over one Postgres database
// answer RATE_LIMITED after ≈ the limit, not twice it.
import net from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Database } from '@person-search/db';
import { ViewerDocument } from '@person-search/schema';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RequestRateLimit } from '../src/lib/auth/rate-limiter.js';
import { SharedRateLimiter } from '../src/lib/auth/shared-rate-limiter.js';
import type { Logger } from '../src/lib/logger.js';
import { createTenantWithKeys } from './support/fixtures.js';
import { startRelay } from './support/postgres-relay.js';
import { createPostgresDatabase, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

const LIMIT = 120;
const ALLOWANCE = LIMIT / 10; // the default: ⌈limit / 10⌉
const ATTEMPTS = 600;
/** The documented burst bound for N replicas: the limit + (N − 1) × 2 × allowance (unsent + in flight), plus the refill meanwhile. */
const burstBound = (replicas: number, elapsedMs: number) => LIMIT + (replicas - 1) * 2 * ALLOWANCE + Math.ceil((elapsedMs * LIMIT) / 60_000);

/** A pino logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** Requests for one key spread over the replicas round-robin, a millisecond apart; returns how many each admitted. */
async function burst(replicas: readonly RequestRateLimit[], key: string): Promise<{ admitted: number; elapsedMs: number }> {
  const started = performance.now();
  let admitted = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (replicas[attempt % replicas.length]?.take(key)) admitted++;
    await sleep(1);
  }
  return { admitted, elapsedMs: performance.now() - started };
}

/** Two connections to one database, as two replicas would hold: one PGlite shared in-process, or two pools on one Postgres database. */
async function openReplicaDatabases(backend: 'pglite' | 'postgres'): Promise<{ databases: [Database, Database]; close(): Promise<void> }> {
  if (backend === 'pglite') {
    const database = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    return { databases: [database, database], close: () => database.close() };
  }
  const postgres = await createPostgresDatabase('person_search_rate');
  const first = await openDatabase({ databaseUrl: postgres.url });
  const second = await openDatabase({ databaseUrl: postgres.url });
  return {
    databases: [first, second],
    async close() {
      await first.close();
      await second.close();
      await postgres.drop();
    },
  };
}

const backends = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(backends)('shared rate limit: two replicas over one %s database', (backend) => {
  let replicaDatabases: Awaited<ReturnType<typeof openReplicaDatabases>>;
  const limiters: SharedRateLimiter[] = [];
  const { log, lines } = capturingLogger();

  beforeAll(async () => {
    replicaDatabases = await openReplicaDatabases(backend);
  });
  afterAll(async () => {
    await Promise.all(limiters.map((limiter) => limiter.close()));
    await replicaDatabases?.close();
  });

  /** `count` replicas, taking turns over the two database connections. */
  function replicas(count = 2): SharedRateLimiter[] {
    const { databases } = replicaDatabases;
    const created = Array.from({ length: count }, (_, i) => new SharedRateLimiter({ requestsPerMinute: LIMIT, db: databases[i % 2 === 0 ? 0 : 1], log }));
    limiters.push(...created);
    return created;
  }

  it.each([2, 4])('%i replicas admit about the limit between them, where as many per-replica limiters admit that many times it', async (count) => {
    const perReplica = await burst(Array.from({ length: count }, () => new RateLimiter(LIMIT)), `per-replica-key-${count}`);
    const shared = await burst(replicas(count), `shared-key-${count}`);
    console.log(`${backend}: limit ${LIMIT}/min, ${ATTEMPTS} attempts over ${count} replicas in ${Math.round(shared.elapsedMs)} ms: ` +
      `shared admitted ${shared.admitted} (bound ${burstBound(count, shared.elapsedMs)}), per-replica admitted ${perReplica.admitted}`);
    expect(perReplica.admitted).toBeGreaterThanOrEqual(count * LIMIT);
    expect(shared.admitted).toBeGreaterThanOrEqual(LIMIT);
    expect(shared.admitted).toBeLessThanOrEqual(burstBound(count, shared.elapsedMs));
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('is the table owner\'s alone: tenant-scoped work (the application role) can neither read nor write it', async () => {
    const tenantId = '00000000-0000-4000-8000-000000000001';
    await expect(replicaDatabases.databases[0].withTenant(tenantId, (tx) => tx.$queryRaw`SELECT tokens FROM rate_limit`)).rejects.toThrow(/permission denied/);
    await expect(
      replicaDatabases.databases[0].withTenant(tenantId, (tx) => tx.$executeRaw`INSERT INTO rate_limit VALUES ('forged', 1000, now())`),
    ).rejects.toThrow(/permission denied/);
  });

  it("records every replica's spend in the table, and a replica joining late learns it within two allowances", async () => {
    const spent = await burst(replicas().slice(0, 2), 'late-key');
    await Promise.all(limiters.slice(-2).map((limiter) => limiter.reconcile()));
    const [row] = await replicaDatabases.databases[0].prisma.$queryRaw<{ tokens: number }[]>`SELECT tokens FROM rate_limit WHERE key_id = 'late-key'`;
    const refill = (spent.elapsedMs * LIMIT) / 60_000 + 1;
    expect(Math.abs(row!.tokens - (LIMIT - spent.admitted))).toBeLessThanOrEqual(refill);

    // A new replica starts optimistic (a full local bucket): it admits one allowance, and one more while that reconcile is in flight.
    const joined = await burst(replicas().slice(0, 1), 'late-key');
    expect(joined.admitted).toBeLessThanOrEqual(2 * ALLOWANCE + Math.ceil(((joined.elapsedMs + spent.elapsedMs) * LIMIT) / 60_000));
  });
});

/** A TCP server that accepts connections and never answers: a database that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: connections are refused. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('shared rate limit without its database', () => {
  it('keeps limiting per replica when the database refuses connections, logging once', async () => {
    const db = await openDatabase({ databaseUrl: `postgresql://nobody:none@127.0.0.1:${await refusedPort()}/none`, migrate: false });
    const { log, lines } = capturingLogger();
    const limiter = new SharedRateLimiter({ requestsPerMinute: 5, db, log, localAllowance: 1 });
    try {
      const decisions: boolean[] = [];
      for (let i = 0; i < 8; i++) {
        decisions.push(limiter.take('offline-key'));
        await limiter.reconcile(); // resolves, never rejects
      }
      expect(limiter.shared).toBe(false);
      expect(decisions).toEqual([true, true, true, true, true, false, false, false]);
      const warnings = lines.filter((line) => line.level === 40);
      expect(warnings.map((line) => line.msg)).toEqual(['shared rate limit: the table does not answer; limiting per replica until it does']);
    } finally {
      await limiter.close();
      await db.close();
    }
  });

  it('falls back to local decisions when the database hangs, and closes without waiting for it', async () => {
    const hanging = await silentServer();
    const db = await openDatabase({ databaseUrl: `postgresql://nobody:none@127.0.0.1:${hanging.port}/none`, migrate: false });
    const { log, lines } = capturingLogger();
    const limiter = new SharedRateLimiter({ requestsPerMinute: 60, db, log, localAllowance: 2, reconcileTimeoutMs: 200 });
    try {
      // One allowance sent (the reconcile hangs), one more unsent: then refused until the reconcile times out…
      const firstTake = performance.now();
      const decisions = Array.from({ length: 5 }, () => limiter.take('hung-key'));
      expect(decisions).toEqual([true, true, true, true, false]);
      await sleep(400);
      expect(limiter.shared).toBe(false);
      // …then the local bucket alone decides: 60 tokens, 4 spent, plus one token a second refilled meanwhile
      // (≥ 0.4 s here; the bound follows the clock, so a slow machine is not a failure).
      let admitted = 0;
      for (let i = 0; i < 70; i++) if (limiter.take('hung-key')) admitted++;
      const refilled = Math.ceil((performance.now() - firstTake) / 1000);
      expect(admitted).toBeGreaterThanOrEqual(56);
      expect(admitted).toBeLessThanOrEqual(56 + refilled);
      expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
      const closing = performance.now();
      await limiter.close();
      expect(performance.now() - closing).toBeLessThan(1000);
    } finally {
      await hanging.close();
      await db.close();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('shared rate limit across a Postgres outage', () => {
  it('limits per replica while the database is cut off, and shares again once it is back', async () => {
    const postgres = await createPostgresDatabase('person_search_rate');
    const relay = await startRelay(new URL(postgres.url));
    const relayed = new URL(postgres.url);
    relayed.port = String(relay.port);
    const db = await openDatabase({ databaseUrl: relayed.toString() });
    const { log, lines } = capturingLogger();
    const limiter = new SharedRateLimiter({ requestsPerMinute: 60, db, log, localAllowance: 5 });
    try {
      for (let i = 0; i < 5; i++) expect(limiter.take('outage-key')).toBe(true);
      await limiter.reconcile();
      expect(limiter.shared).toBe(true);

      await relay.cut();
      for (let i = 0; i < 5; i++) expect(limiter.take('outage-key')).toBe(true);
      await limiter.reconcile();
      expect(limiter.shared).toBe(false);
      // Local decisions only: past the allowance nothing waits on the dead table, and each failed reconcile drops its spend.
      for (let i = 0; i < 10; i++) expect(limiter.take('outage-key')).toBe(true);
      await limiter.reconcile();

      await relay.restore();
      for (let i = 0; i < 5; i++) expect(limiter.take('outage-key')).toBe(true);
      await limiter.reconcile();
      expect(limiter.shared).toBe(true);
      // The table holds what was spent while it answered (5, then 5 after the outage), not the 15 admitted during it.
      const [row] = await db.prisma.$queryRaw<{ tokens: number }[]>`SELECT tokens FROM rate_limit WHERE key_id = 'outage-key'`;
      expect(row!.tokens).toBeGreaterThan(60 - 10 - 1);
      expect(row!.tokens).toBeLessThanOrEqual(60);
      expect(lines.filter((line) => line.level >= 30).map((line) => line.msg)).toEqual([
        'shared rate limit: the table does not answer; limiting per replica until it does',
        'shared rate limit: the table answers again; limiting across replicas',
      ]);
    } finally {
      await limiter.close();
      await db.close();
      await relay.cut();
      await postgres.drop();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('shared rate limit through HTTP: two API servers over one Postgres database', () => {
  const PER_MINUTE = 20;
  let postgres: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    postgres = await createPostgresDatabase('person_search_rate');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await postgres?.drop();
  });

  /** Two servers on the database; `shared` sets RATE_LIMIT_SHARED (auto would turn it on: DATABASE_URL is set). */
  async function twoServers(shared: boolean): Promise<[TestServer, TestServer]> {
    const env = { DATABASE_URL: postgres.url, RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), RATE_LIMIT_SHARED: String(shared) };
    const pair = [await startTestServer({ env }), await startTestServer({ env })] as [TestServer, TestServer];
    servers.push(...pair);
    return pair;
  }

  async function countAnswers(pair: [TestServer, TestServer], key: string): Promise<{ ok: number; limited: number }> {
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 3 * PER_MINUTE; i++) {
      const codes = errorCodes(await pair[i % 2 === 0 ? 0 : 1].gql(ViewerDocument, {}, key));
      if (codes.length === 0) ok++;
      else if (codes[0] === 'RATE_LIMITED') limited++;
    }
    return { ok, limited };
  }

  it('answers RATE_LIMITED after ≈ the limit across both servers (2× the limit with RATE_LIMIT_SHARED=false)', async () => {
    const shared = await twoServers(true);
    const tenant = await createTenantWithKeys(shared[0], 'shared-rate');
    const sharedAnswers = await countAnswers(shared, tenant.search);
    const perReplica = await twoServers(false);
    const perReplicaAnswers = await countAnswers(perReplica, tenant.device);
    console.log(`HTTP, ${PER_MINUTE}/min over 2 servers, ${3 * PER_MINUTE} requests: shared ${JSON.stringify(sharedAnswers)}, per replica ${JSON.stringify(perReplicaAnswers)}`);
    // Allowance ⌈20 / 10⌉ = 2: the bound is 20 + 1 × 2 × 2, plus under one token of refill.
    expect(sharedAnswers.ok).toBeGreaterThanOrEqual(PER_MINUTE);
    expect(sharedAnswers.ok).toBeLessThanOrEqual(PER_MINUTE + 4 + 1);
    expect(sharedAnswers.ok + sharedAnswers.limited).toBe(3 * PER_MINUTE);
    expect(perReplicaAnswers.ok).toBeGreaterThanOrEqual(2 * PER_MINUTE);
  });
});
