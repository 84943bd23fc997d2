// Row-level security: a unit of work scoped to tenant A cannot see, change or
// delete tenant B's rows, even when it names B's ids; with no tenant set the
// application role sees nothing; system work sees everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_ROLE, Prisma, TransactionTimeoutError, type Database, type DatabaseTransaction, type SqlClient } from '../src/index';
import { backends, reportBackends, type TestDatabase } from './support/backends';
import { registerModel, seedTenant, type SeededTenant } from './support/seed';

/** Row counts of every tenant-owned table as seen by `tx`. */
async function visibleCounts(tx: DatabaseTransaction) {
  return {
    tenants: await tx.tenant.count(),
    apiKeys: await tx.apiKey.count(),
    galleries: await tx.gallery.count(),
    devices: await tx.device.count(),
    images: await tx.image.count(),
    detections: await tx.detection.count(),
    auditLog: await tx.auditLogEntry.count(),
  };
}

const ONE_EACH = { tenants: 1, apiKeys: 1, galleries: 1, devices: 1, images: 1, detections: 1, auditLog: 1 };
const NONE = { tenants: 0, apiKeys: 0, galleries: 0, devices: 0, images: 0, detections: 0, auditLog: 0 };

beforeAll(() => reportBackends('row-level security'));

describe.each(backends)('row-level security on $name', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    testDatabase = await backend.createDatabase();
    database = await testDatabase.open();
    await registerModel(database, 'rls-student', 'student', 3);
    a = await seedTenant(database, 'alpha', 'rls-student', [1, 0, 0]);
    b = await seedTenant(database, 'bravo', 'rls-student', [0, 1, 0]);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('runs tenant work as the application role with the tenant set', async () => {
    const [session] = await database.withTenant(a.tenantId, (tx) =>
      tx.$queryRaw<{ role: string; tenant: string }[]>`SELECT current_user AS role, current_setting('app.tenant_id') AS tenant`,
    );
    expect(session).toEqual({ role: APPLICATION_ROLE, tenant: a.tenantId });
  });

  it('applies extra settings for the transaction only, and refuses to let them touch the tenant scope', async () => {
    const settings = { 'hnsw.ef_search': '333', 'statement_timeout': '4321' };
    const [inside] = await database.withTenant(a.tenantId, (tx) =>
      tx.$queryRaw<{ ef: string; timeout: string; tenant: string }[]>`SELECT current_setting('hnsw.ef_search') AS ef, current_setting('statement_timeout') AS timeout, current_setting('app.tenant_id') AS tenant`,
    { settings });
    expect(inside).toEqual({ ef: '333', timeout: '4321ms', tenant: a.tenantId });
    // Transaction-local: the next unit of work on a pooled connection does not see them.
    const [after] = await database.withTenant(b.tenantId, (tx) => tx.$queryRaw<{ ef: string | null }[]>`SELECT current_setting('hnsw.ef_search', true) AS ef`);
    expect(after?.ef ?? '40').toBe('40'); // pgvector's default (or unset before the library loads)
    await expect(database.withTenant(a.tenantId, async () => 1, { settings: { 'app.tenant_id': b.tenantId } })).rejects.toThrow(/belongs to the tenant scope/);
    await expect(database.withTenant(a.tenantId, async () => 1, { settings: { ROLE: 'postgres' } })).rejects.toThrow(/belongs to the tenant scope/);
  });

  it('shows a tenant only its own rows, and the system all of them', async () => {
    expect(await database.withTenant(a.tenantId, visibleCounts)).toEqual(ONE_EACH);
    expect(await database.withTenant(b.tenantId, visibleCounts)).toEqual(ONE_EACH);
    const all = await database.asSystem(visibleCounts);
    expect(all).toEqual({ tenants: 2, apiKeys: 2, galleries: 2, devices: 2, images: 2, detections: 2, auditLog: 2 });
    const galleryOfA = await database.withTenant(a.tenantId, (tx) => tx.gallery.findMany());
    expect(galleryOfA.map((gallery) => gallery.id)).toEqual([a.galleryId]);
  });

  it("cannot read B's rows from A's scope even by naming B's ids", async () => {
    const found = await database.withTenant(a.tenantId, async (tx) => ({
      tenant: await tx.tenant.findMany({ where: { id: b.tenantId } }),
      apiKey: await tx.apiKey.findMany({ where: { tenantId: b.tenantId, id: b.apiKeyId } }),
      gallery: await tx.gallery.findMany({ where: { tenantId: b.tenantId, id: b.galleryId } }),
      device: await tx.device.findMany({ where: { tenantId: b.tenantId, id: b.deviceId } }),
      image: await tx.image.findMany({ where: { tenantId: b.tenantId, id: b.imageId } }),
      detection: await tx.detection.findMany({ where: { tenantId: b.tenantId, id: b.detectionId } }),
      audit: await tx.auditLogEntry.findMany({ where: { tenantId: b.tenantId, id: b.auditId } }),
      rawVector: await tx.$queryRaw<unknown[]>`SELECT student_embedding::text FROM detections WHERE id = ${b.detectionId}::uuid`,
    }));
    expect(found).toEqual({ tenant: [], apiKey: [], gallery: [], device: [], image: [], detection: [], audit: [], rawVector: [] });
  });

  it("cannot update B's rows from A's scope: 0 rows affected, B unchanged", async () => {
    const affected = await database.withTenant(a.tenantId, async (tx) => ({
      gallery: (await tx.gallery.updateMany({ where: { tenantId: b.tenantId, id: b.galleryId }, data: { name: 'hijacked' } })).count,
      apiKey: (await tx.apiKey.updateMany({ where: { id: b.apiKeyId }, data: { revokedAt: new Date() } })).count,
      device: (await tx.device.updateMany({ where: { id: b.deviceId }, data: { name: 'hijacked' } })).count,
      image: (await tx.image.updateMany({ where: { id: b.imageId }, data: { contentType: 'text/plain' } })).count,
      detection: await tx.$executeRaw`UPDATE detections SET score = 0 WHERE tenant_id = ${b.tenantId}::uuid AND id = ${b.detectionId}::uuid`,
    }));
    expect(affected).toEqual({ gallery: 0, apiKey: 0, device: 0, image: 0, detection: 0 });
    const bRows = await database.asSystem(async (tx) => ({
      gallery: (await tx.gallery.findFirstOrThrow({ where: { id: b.galleryId } })).name,
      revoked: (await tx.apiKey.findFirstOrThrow({ where: { id: b.apiKeyId } })).revokedAt,
      score: (await tx.detection.findFirstOrThrow({ where: { id: b.detectionId } })).score,
    }));
    expect(bRows).toEqual({ gallery: 'bravo entrance', revoked: null, score: expect.closeTo(0.9, 5) });
  });

  it("cannot delete B's rows from A's scope: 0 rows affected, B intact", async () => {
    const deleted = await database.withTenant(a.tenantId, async (tx) => ({
      detection: (await tx.detection.deleteMany({ where: { id: b.detectionId } })).count,
      image: (await tx.image.deleteMany({ where: { tenantId: b.tenantId } })).count,
      gallery: await tx.$executeRaw`DELETE FROM galleries WHERE id = ${b.galleryId}::uuid`,
      device: (await tx.device.deleteMany({ where: { id: b.deviceId } })).count,
      apiKey: (await tx.apiKey.deleteMany({ where: { id: b.apiKeyId } })).count,
    }));
    expect(deleted).toEqual({ detection: 0, image: 0, gallery: 0, device: 0, apiKey: 0 });
    expect(await database.withTenant(b.tenantId, visibleCounts)).toEqual(ONE_EACH);
  });

  it("cannot write rows into B or move A's rows to B", async () => {
    await expect(
      database.withTenant(a.tenantId, (tx) => tx.gallery.create({ data: { tenantId: b.tenantId, name: 'planted' } })),
    ).rejects.toThrow(/row-level security/);
    await expect(
      database.withTenant(a.tenantId, (tx) => tx.$executeRaw`UPDATE devices SET tenant_id = ${b.tenantId}::uuid WHERE id = ${a.deviceId}::uuid`),
    ).rejects.toThrow(/row-level security|violates foreign key/);
    // The audit log is append-only for the application role.
    await expect(database.withTenant(a.tenantId, (tx) => tx.auditLogEntry.deleteMany({}))).rejects.toThrow(/permission denied/);
    expect(await database.asSystem((tx) => tx.gallery.count({ where: { name: 'planted' } }))).toBe(0);
  });

  it('sees no rows as the application role with no tenant set', async () => {
    const counts = await database.asSystem(async (tx) => {
      await tx.$queryRaw`SELECT set_config('role', ${APPLICATION_ROLE}, true)`;
      const [setting] = await tx.$queryRaw<{ tenant: string | null }[]>`SELECT current_setting('app.tenant_id', true) AS tenant`;
      expect(setting?.tenant ?? '').toBe('');
      return visibleCounts(tx);
    });
    expect(counts).toEqual(NONE);
  });

  it('never carries one tenant into another transaction (concurrent units of work)', async () => {
    const tenants = [a, b, a, b, a, b, a, b];
    const seen = await Promise.all(
      tenants.map((tenant) =>
        database.withTenant(tenant.tenantId, async (tx) => (await tx.gallery.findMany()).map((gallery) => gallery.tenantId)),
      ),
    );
    expect(seen).toEqual(tenants.map((tenant) => [tenant.tenantId]));
    const [after] = await database.prisma.$queryRaw<{ role: string; tenant: string | null }[]>`
      SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant`;
    expect(after?.role).not.toBe(APPLICATION_ROLE);
    expect(after?.tenant ?? '').toBe('');
  });

  it('rejects a tenant id that is not a uuid before touching the database', async () => {
    await expect(database.withTenant("x' OR true --", visibleCounts)).rejects.toThrow(/tenant id must be a uuid/);
  });

  describe('withTenantRaw (the driver directly)', () => {
    /** Rows of every tenant-owned table the raw client sees. */
    const rawCounts = async (sql: SqlClient) => {
      const [row] = await sql.$queryRaw<Record<keyof typeof ONE_EACH, number>[]>`
        SELECT (SELECT count(*)::int FROM tenants) AS tenants, (SELECT count(*)::int FROM api_keys) AS "apiKeys",
               (SELECT count(*)::int FROM galleries) AS galleries, (SELECT count(*)::int FROM devices) AS devices,
               (SELECT count(*)::int FROM images) AS images, (SELECT count(*)::int FROM detections) AS detections,
               (SELECT count(*)::int FROM audit_log) AS "auditLog"`;
      return row;
    };

    it('runs as the application role with the tenant and the extra settings set, for the transaction only', async () => {
      const [inside] = await database.withTenantRaw(a.tenantId, (sql) =>
        sql.$queryRaw<{ role: string; tenant: string; ef: string }[]>`SELECT current_user AS role, current_setting('app.tenant_id') AS tenant, current_setting('hnsw.ef_search') AS ef`,
      { settings: { 'hnsw.ef_search': '77' } });
      expect(inside).toEqual({ role: APPLICATION_ROLE, tenant: a.tenantId, ef: '77' });
      const [after] = await database.prisma.$queryRaw<{ role: string; tenant: string | null }[]>`SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant`;
      expect(after?.role).not.toBe(APPLICATION_ROLE);
      expect(after?.tenant ?? '').toBe('');
      await expect(database.withTenantRaw(a.tenantId, async () => 1, { settings: { 'app.tenant_id': b.tenantId } })).rejects.toThrow(/belongs to the tenant scope/);
      await expect(database.withTenantRaw("x' OR true --", rawCounts)).rejects.toThrow(/tenant id must be a uuid/);
    });

    it("shows a tenant only its own rows, and cannot change or write B's", async () => {
      expect(await database.withTenantRaw(a.tenantId, rawCounts)).toEqual(ONE_EACH);
      const concurrent = await Promise.all([a, b, a, b].map((tenant) => database.withTenantRaw(tenant.tenantId, (sql) => sql.$queryRaw<{ tenant_id: string }[]>`SELECT tenant_id::text FROM galleries`)));
      expect(concurrent).toEqual([a, b, a, b].map((tenant) => [{ tenant_id: tenant.tenantId }]));
      expect(await database.withTenantRaw(a.tenantId, (sql) => sql.$executeRaw`UPDATE detections SET score = 0 WHERE id = ${b.detectionId}::uuid`)).toBe(0);
      await expect(database.withTenantRaw(a.tenantId, (sql) => sql.$executeRaw`INSERT INTO galleries (tenant_id, name) VALUES (${b.tenantId}::uuid, 'planted')`)).rejects.toThrow(/row-level security/);
      expect(await database.asSystem((tx) => tx.gallery.count({ where: { name: 'planted' } }))).toBe(0);
    });

    it('commits when the work resolves and rolls back when it throws or outlasts its timeout', async () => {
      const rename = (name: string) => Prisma.sql`UPDATE galleries SET name = ${name} WHERE id = ${a.galleryId}::uuid`;
      const nameOfA = async () => (await database.asSystem((tx) => tx.gallery.findFirstOrThrow({ where: { id: a.galleryId } }))).name;
      await expect(database.withTenantRaw(a.tenantId, async (sql) => {
        await sql.$executeRaw(rename('renamed then thrown'));
        throw new Error('work failed');
      })).rejects.toThrow('work failed');
      expect(await nameOfA()).toBe('alpha entrance');
      await expect(database.withTenantRaw(a.tenantId, async (sql) => {
        await sql.$executeRaw(rename('renamed too late'));
        await new Promise((resolve) => setTimeout(resolve, 120));
      }, { timeout: 50 })).rejects.toThrow(TransactionTimeoutError);
      expect(await nameOfA()).toBe('alpha entrance');
      // A statement after the deadline is not sent.
      await expect(database.withTenantRaw(a.tenantId, async (sql) => {
        await new Promise((resolve) => setTimeout(resolve, 120));
        await sql.$executeRaw(rename('sent after the deadline'));
      }, { timeout: 50 })).rejects.toThrow(/timed out after 50 ms/);
      expect(await nameOfA()).toBe('alpha entrance');
      expect(await database.withTenantRaw(a.tenantId, (sql) => sql.$executeRaw(rename('alpha entrance')))).toBe(1);
    });

    // PGlite runs in the process: it has no connection to lose.
    it.skipIf(backend.name !== 'postgres')('fails the unit of work, not the process, when its connection is lost between statements', async () => {
      const lost = database.withTenantRaw(a.tenantId, async (sql) => {
        const [{ pid }] = (await sql.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`) as [{ pid: number }];
        await database.asSystem((tx) => tx.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`);
        // The client hears the connection close while no statement is running (an 'error' event).
        await new Promise((resolve) => setTimeout(resolve, 200));
        return sql.$queryRaw`SELECT 1`;
      });
      await expect(lost).rejects.toThrow();
      // The broken connection was not pooled again: the next units of work run.
      for (let i = 0; i < 4; i++) expect(await database.withTenantRaw(a.tenantId, rawCounts)).toEqual(ONE_EACH);
    });

    it('counts the connections free at once, so a request can split its work without ever waiting on the pool', async () => {
      const none = { idle: 0, openable: 0 };
      if (backend.name === 'pglite') {
        // One connection, which the work holds: nothing is free, inside or outside.
        expect(database.freeConnections()).toEqual(none);
        expect(await database.withTenantRaw(a.tenantId, async () => database.freeConnections())).toEqual(none);
        return;
      }
      const small = await testDatabase.open({ migrate: false, poolSize: 3 });
      try {
        expect(small.freeConnections()).toEqual({ idle: 0, openable: 3 }); // none opened yet, three may be
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let holding = 0;
        const holders = [a, b].map((tenant) => small.withTenantRaw(tenant.tenantId, async (sql) => {
          await sql.$queryRaw`SELECT 1`;
          holding++;
          await held;
        }));
        while (holding < 2) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(small.freeConnections()).toEqual({ idle: 0, openable: 1 });
        // Work started at once on the free connection runs, scoped like any other unit of work; its connection stays idle after.
        const [own] = await small.withTenantRaw(b.tenantId, (sql) => sql.$queryRaw<{ tenant: string }[]>`SELECT current_setting('app.tenant_id') AS tenant`);
        expect(own).toEqual({ tenant: b.tenantId });
        expect(small.freeConnections()).toEqual({ idle: 1, openable: 0 });
        // All three held: nothing free; and while a request waits for one, nothing is free either.
        let releaseThird: (() => void) | undefined;
        const third = small.withTenantRaw(a.tenantId, () => new Promise<void>((resolve) => (releaseThird = resolve)));
        while (releaseThird === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(small.freeConnections()).toEqual(none);
        const waiting = small.withTenantRaw(a.tenantId, async () => 'served');
        expect(small.freeConnections()).toEqual(none);
        release();
        releaseThird();
        await Promise.all([...holders, third]);
        expect(await waiting).toBe('served');
        expect(small.freeConnections()).toEqual({ idle: 3, openable: 0 });
      } finally {
        await small.close();
      }
    });

    it('leaves no aborted transaction on a pooled connection when the scope itself fails', async () => {
      await expect(database.withTenantRaw(a.tenantId, rawCounts, { settings: { statement_timeout: 'soon' } })).rejects.toThrow(/statement_timeout/);
      // The next units of work (the same pooled connection first) run normally.
      for (let round = 0; round < 3; round++) expect(await database.withTenantRaw(b.tenantId, rawCounts)).toEqual(ONE_EACH);
    });
  });

  it("deletes a gallery's images and detections with it", async () => {
    await database.withTenant(a.tenantId, (tx) => tx.gallery.delete({ where: { tenantId_id: { tenantId: a.tenantId, id: a.galleryId } } }));
    const left = await database.withTenant(a.tenantId, visibleCounts);
    expect(left).toEqual({ ...ONE_EACH, galleries: 0, images: 0, detections: 0 });
    expect(await database.withTenant(b.tenantId, visibleCounts)).toEqual(ONE_EACH);
  });
});
