// Vector storage and exact cosine KNN on a small set: embeddings round-trip
// through pgvector's text form, SQL nearest neighbours equal a brute-force
// search in TypeScript, the tenant boundary holds, and models of different
// dimensions share the columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromVectorSql, registerEmbeddingModel, toVectorSql, vectorType, type Database } from '../src/index';
import { backends, reportBackends, type TestDatabase } from './support/backends';
import { registerModel, seedTenant, type SeededTenant } from './support/seed';
import { cosineDistance, gaussian, randomVector, seededRandom } from './support/vectors';

const STUDENT = { id: 'knn-student', dimension: 8 };
const TEACHER = { id: 'knn-teacher', dimension: 4 };
const ROWS_PER_TENANT = 120;

interface StoredDetection {
  id: string;
  student: Float32Array;
  teacher: Float32Array;
}

async function insertDetections(database: Database, tenant: SeededTenant, vectors: { student: Float32Array; teacher: Float32Array }[]) {
  return database.withTenant(tenant.tenantId, async (tx) => {
    const stored: StoredDetection[] = [];
    for (const { student, teacher } of vectors) {
      const [row] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO detections (tenant_id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score,
                                student_model_id, student_embedding, teacher_model_id, teacher_embedding, teacher_status)
        VALUES (${tenant.tenantId}::uuid, ${tenant.imageId}::uuid, ${tenant.galleryId}::uuid, now(), 0, 0, 50, 100, 0.8,
                ${STUDENT.id}, ${toVectorSql(student)}::vector, ${TEACHER.id}, ${toVectorSql(teacher)}::vector, 'done')
        RETURNING id`;
      stored.push({ id: row!.id, student, teacher });
    }
    return stored;
  });
}

/** Exact (sequential) KNN as tenant: the HNSW index is switched off for this transaction. */
async function exactNearest(database: Database, tenantId: string, role: 'student' | 'teacher', query: Float32Array, k: number) {
  const model = role === 'student' ? STUDENT : TEACHER;
  const type = vectorType(model.dimension);
  return database.withTenant(tenantId, async (tx) => {
    await tx.$queryRaw`SELECT set_config('enable_indexscan', 'off', true)`;
    return role === 'student'
      ? tx.$queryRaw<{ id: string; distance: number }[]>`
          SELECT id, student_embedding::${type} <=> ${toVectorSql(query)}::${type} AS distance FROM detections
          WHERE student_model_id = ${model.id} ORDER BY distance LIMIT ${k}`
      : tx.$queryRaw<{ id: string; distance: number }[]>`
          SELECT id, teacher_embedding::${type} <=> ${toVectorSql(query)}::${type} AS distance FROM detections
          WHERE teacher_model_id = ${model.id} ORDER BY distance LIMIT ${k}`;
  });
}

/** The nearest IEEE half-precision value (teacher vectors are stored as halfvec); normal and subnormal range. */
function roundToHalf(value: number): number {
  if (value === 0) return 0;
  const step = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(value))), -14) - 10);
  return Math.round(value / step) * step;
}
const asStored = (vector: Float32Array, role: 'student' | 'teacher') => (role === 'teacher' ? vector.map(roundToHalf) : vector);

function bruteForce(stored: StoredDetection[], role: 'student' | 'teacher', query: Float32Array, k: number) {
  return stored
    .map((detection) => ({ id: detection.id, distance: cosineDistance(asStored(detection[role], role), query) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

beforeAll(() => reportBackends('vector KNN'));

describe.each(backends)('vector storage and exact KNN on $name', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let a: SeededTenant;
  let b: SeededTenant;
  let storedA: StoredDetection[];
  const normal = gaussian(seededRandom(7));
  const queries = Array.from({ length: 5 }, () => randomVector(normal, STUDENT.dimension));

  beforeAll(async () => {
    testDatabase = await backend.createDatabase();
    database = await testDatabase.open();
    await registerModel(database, STUDENT.id, 'student', STUDENT.dimension);
    await registerModel(database, TEACHER.id, 'teacher', TEACHER.dimension);
    a = await seedTenant(database, 'alpha', STUDENT.id, Array.from(randomVector(normal, STUDENT.dimension)));
    b = await seedTenant(database, 'bravo', STUDENT.id, Array.from(randomVector(normal, STUDENT.dimension)));
    const vectorsFor = () =>
      Array.from({ length: ROWS_PER_TENANT }, () => ({ student: randomVector(normal, STUDENT.dimension), teacher: randomVector(normal, TEACHER.dimension) }));
    storedA = await insertDetections(database, a, vectorsFor());
    // Tenant B holds exact copies of the queries: they would be the nearest of all if the tenant boundary leaked.
    await insertDetections(database, b, [...vectorsFor(), ...queries.map((student) => ({ student, teacher: student.slice(0, TEACHER.dimension) }))]);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('indexes student vectors only (teacher vectors are read by id, never searched)', async () => {
    expect(await registerModel(database, TEACHER.id, 'teacher', TEACHER.dimension)).toBe('');
    const indexes = await database.asSystem((tx) => tx.$queryRaw<{ name: string }[]>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'detections' AND indexname LIKE '%hnsw'`);
    expect(indexes.map((index) => index.name)).toEqual([expect.stringMatching(/^detections_student_knn_student_\w+_hnsw$/)]);
  });

  it('stores student embeddings unchanged (float32) and teacher embeddings as half precision (halfvec)', async () => {
    const sample = storedA[17]!;
    const [row] = await database.withTenant(a.tenantId, (tx) =>
      tx.$queryRaw<{ student: string; teacher: string }[]>`
        SELECT student_embedding::text AS student, teacher_embedding::text AS teacher FROM detections WHERE id = ${sample.id}::uuid`,
    );
    expect(fromVectorSql(row!.student)).toEqual(sample.student);
    // halfvec prints the shortest decimal that identifies the half value: within half a unit of its last place.
    const teacher = fromVectorSql(row!.teacher);
    sample.teacher.forEach((value, i) => expect(Math.abs(teacher[i]! - roundToHalf(value))).toBeLessThanOrEqual(Math.abs(roundToHalf(value)) * 2 ** -11 + 1e-8));
    expect(teacher).not.toEqual(sample.teacher);
  });

  it('returns exactly the nearest neighbours by cosine distance (student, 8-d)', async () => {
    for (const query of queries) {
      const expected = bruteForce(storedA, 'student', query, 10);
      const actual = await exactNearest(database, a.tenantId, 'student', query, 10);
      expect(actual.map((row) => row.id)).toEqual(expected.map((row) => row.id));
      actual.forEach((row, index) => expect(row.distance).toBeCloseTo(expected[index]!.distance, 5));
    }
  });

  it('returns exactly the nearest neighbours in a second model space of another dimension (teacher, 4-d)', async () => {
    const query = randomVector(normal, TEACHER.dimension);
    const expected = bruteForce(storedA, 'teacher', query, 10);
    const actual = await exactNearest(database, a.tenantId, 'teacher', query, 10);
    expect(actual.map((row) => row.id)).toEqual(expected.map((row) => row.id));
  });

  it('refuses an embedding whose dimension differs from its registered model', async () => {
    await expect(
      database.withTenant(a.tenantId, (tx) => tx.$executeRaw`
        INSERT INTO detections (tenant_id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score, student_model_id, student_embedding)
        VALUES (${a.tenantId}::uuid, ${a.imageId}::uuid, ${a.galleryId}::uuid, now(), 0, 0, 1, 1, 0.5, ${STUDENT.id}, ${toVectorSql([1, 2, 3])}::vector)`),
    ).rejects.toThrow(/expected 8 dimensions, not 3/);
  });

  it('builds a student graph with m 24 / ef_construction 128 unless given others, and refuses ones pgvector would', async () => {
    const optionsOf = async (name: string) =>
      (await database.asSystem((tx) => tx.$queryRaw<{ options: string[] }[]>`SELECT reloptions AS options FROM pg_class WHERE oid = ${name}::regclass`))[0]!.options;
    const indexName = await registerModel(database, STUDENT.id, 'student', STUDENT.dimension);
    expect(await optionsOf(indexName)).toEqual(['m=24', 'ef_construction=128']);
    const { indexName: sparse } = await registerEmbeddingModel(database, { id: 'knn-sparse', version: '1', role: 'student', dimension: 4, sha256: '0'.repeat(64), graph: { m: 8, efConstruction: 32 } });
    expect(await optionsOf(sparse!)).toEqual(['m=8', 'ef_construction=32']);
    await expect(registerEmbeddingModel(database, { id: 'knn-bad', version: '1', role: 'student', dimension: 4, sha256: '0'.repeat(64), graph: { m: 32, efConstruction: 40 } })).rejects.toThrow(/at least 2 × m/);
    expect(await database.asSystem((tx) => tx.model.count({ where: { id: 'knn-bad' } }))).toBe(0);
  });

  it('refuses to re-register a model with another dimension, and re-registers idempotently otherwise', async () => {
    await expect(registerModel(database, STUDENT.id, 'student', 16)).rejects.toThrow(/knn-student is registered as student with dimension 8/);
    const again = await registerModel(database, STUDENT.id, 'student', STUDENT.dimension);
    expect(again).toMatch(/^detections_student_knn_student_[0-9a-f]{6}_hnsw$/);
  });
});
