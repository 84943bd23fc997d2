-- Detections partitioned by tenant (LIST on tenant_id). Every tenant's rows
-- stay in the DEFAULT partition "detections_shared" (the former table,
-- attached as it is: no rows are copied) until an operator isolates a large
-- tenant with isolate_tenant_detections, which moves its rows into a partition
-- of its own. Each partition has its own copy of every index, HNSW included,
-- so an isolated tenant's vector search walks a graph of its rows alone: no
-- other tenant's rows to skip under the tenant filter, and a smaller graph to
-- build and to search. The application only ever reads and writes
-- "detections" (RLS, grants and foreign keys are the parent's); partitions are
-- storage.

-- 1. The table becomes the shared partition; its indexes give up their names
--    to the parent's (index names are schema-wide).
ALTER TABLE "detections" RENAME TO "detections_shared";
ALTER TABLE "detections_shared" RENAME CONSTRAINT "detections_pkey" TO "detections_shared_pkey";
ALTER INDEX "detections_tenant_id_image_id_idx" RENAME TO "detections_shared_tenant_id_image_id_idx";
ALTER INDEX "detections_tenant_id_gallery_id_captured_at_idx" RENAME TO "detections_shared_tenant_id_gallery_id_captured_at_idx";
ALTER INDEX "detections_teacher_status_teacher_next_attempt_at_idx" RENAME TO "detections_shared_teacher_status_teacher_next_attempt_at_idx";

-- 2. The partitioned parent: the same columns, defaults and checks.
CREATE TABLE "detections" (LIKE "detections_shared" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST ("tenant_id");
ALTER TABLE "detections" ADD CONSTRAINT "detections_pkey" PRIMARY KEY ("tenant_id", "id");
CREATE INDEX "detections_tenant_id_image_id_idx" ON "detections"("tenant_id", "image_id");
CREATE INDEX "detections_tenant_id_gallery_id_captured_at_idx" ON "detections"("tenant_id", "gallery_id", "captured_at");
CREATE INDEX "detections_teacher_status_teacher_next_attempt_at_idx" ON "detections"("teacher_status", "teacher_next_attempt_at");
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_image_id_fkey" FOREIGN KEY ("tenant_id", "image_id") REFERENCES "images"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_gallery_id_fkey" FOREIGN KEY ("tenant_id", "gallery_id") REFERENCES "galleries"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_student_model_id_fkey" FOREIGN KEY ("student_model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_teacher_model_id_fkey" FOREIGN KEY ("teacher_model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- 3. Each student model's HNSW index moves to the parent the same way (the
--    shared partition's index keeps its graph and is attached below, not rebuilt).
DO $$
DECLARE
    student RECORD;
    index_name TEXT;
BEGIN
    FOR student IN SELECT id, dimension FROM models WHERE role = 'student' LOOP
        index_name := format('detections_student_%s_%s_hnsw', left(replace(student.id, '-', '_'), 30), left(md5(student.id), 6));
        IF to_regclass(index_name) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX %I RENAME TO %I', index_name, 'dshared_' || substr(index_name, 12));
        END IF;
        EXECUTE format(
            'CREATE INDEX %I ON detections USING hnsw ((student_embedding::vector(%s)) vector_cosine_ops) WHERE student_model_id = %L',
            index_name, student.dimension, student.id);
    END LOOP;
END
$$;

-- 4. The old table joins as the DEFAULT partition. Its indexes match the
--    parent's and are attached; its foreign keys match and are adopted.
ALTER TABLE "detections" ATTACH PARTITION "detections_shared" DEFAULT;

-- 5. Access: RLS and grants on the parent (a query through it applies the
--    parent's policy); the application role gets no grant on any partition.
ALTER TABLE "detections" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "detections"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON "detections" TO person_search_app;
REVOKE ALL ON "detections_shared" FROM person_search_app;

-- The partition holding a tenant's detections: its own once isolated, else
-- the shared one. Stage 1 reads the partition's row estimate (the size of the
-- HNSW graph the tenant's filter applies to).
CREATE FUNCTION detections_partition_of(p_tenant UUID) RETURNS regclass
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
    SELECT COALESCE(to_regclass('detections_t_' || replace(p_tenant::text, '-', '')), 'detections_shared'::regclass)
$$;

-- Moves a tenant's detections into a partition of its own (named
-- detections_t_<tenant id without dashes>) and returns its name; a tenant
-- already isolated is left as it is. Run as the table owner, in one
-- transaction: it locks the tables the partition's foreign keys reference and
-- the shared partition against writes (reads go on until the attach, which
-- takes the shared partition exclusively to check that no row of the tenant is
-- left there), copies the tenant's rows, deletes them from the shared
-- partition, and attaches the new one, which builds its indexes (HNSW
-- included) over the tenant's rows. Every tenant's ingest (and tenant, gallery
-- and model changes) waits meanwhile.
CREATE FUNCTION isolate_tenant_detections(p_tenant UUID) RETURNS TEXT
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    partition_name TEXT := 'detections_t_' || replace(p_tenant::text, '-', '');
BEGIN
    IF NOT EXISTS (SELECT FROM tenants WHERE id = p_tenant) THEN
        RAISE EXCEPTION 'no tenant %', p_tenant USING ERRCODE = 'no_data_found';
    END IF;
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN partition_name;
    END IF;
    -- Locks first, in one order: the tables the new partition's foreign keys reference (attaching
    -- it adds their triggers, SHARE ROW EXCLUSIVE), then the shared partition against writes. An
    -- ingest holds images before detections, so taking images only after detections_shared would
    -- deadlock with one in flight (seen in tenant-partition.medium.spec before this order).
    LOCK TABLE tenants, models, galleries, images IN SHARE ROW EXCLUSIVE MODE;
    LOCK TABLE detections_shared IN EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE detections INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name);
    EXECUTE format('INSERT INTO %I SELECT * FROM detections_shared WHERE tenant_id = %L', partition_name, p_tenant);
    DELETE FROM detections_shared WHERE tenant_id = p_tenant;
    EXECUTE format('ALTER TABLE detections ATTACH PARTITION %I FOR VALUES IN (%L)', partition_name, p_tenant);
    EXECUTE format('ANALYZE %I', partition_name);
    RETURN partition_name;
END
$$;
REVOKE EXECUTE ON FUNCTION isolate_tenant_detections(UUID) FROM PUBLIC;
