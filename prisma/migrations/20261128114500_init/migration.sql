-- Initial schema: tenants and their credentials, galleries, devices, images,
-- person detections with student/teacher embeddings, the embedding-model
-- registry, and the audit log.
--
-- Tenancy is enforced twice: every tenant-owned table is keyed
-- (tenant_id, id) with tenant-carrying foreign keys, and row-level security
-- limits the application role person_search_app to the tenant named by the
-- transaction-local setting app.tenant_id. The migrating user owns the tables
-- (and so bypasses RLS: used only for system work); the application switches
-- to person_search_app with SET LOCAL ROLE for tenant work.

CREATE EXTENSION IF NOT EXISTS vector;

-- Enums
CREATE TYPE "api_key_role" AS ENUM ('ADMIN', 'DEVICE', 'SEARCH');
CREATE TYPE "model_role" AS ENUM ('student', 'teacher');
CREATE TYPE "teacher_status" AS ENUM ('pending', 'done', 'failed');

-- Tables
CREATE TABLE "tenants" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_keys" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "api_key_role" NOT NULL,
    "gallery_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "label" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "galleries" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "retention_days" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "galleries_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "galleries_retention_days_check" CHECK ("retention_days" IS NULL OR "retention_days" > 0)
);

CREATE TABLE "devices" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    CONSTRAINT "devices_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "images" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "gallery_id" UUID NOT NULL,
    "device_id" UUID,
    "idempotency_key" TEXT,
    "blob_sha256" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "images_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "images_blob_sha256_check" CHECK ("blob_sha256" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "images_size_check" CHECK ("width" > 0 AND "height" > 0 AND "bytes" > 0)
);

-- Embedding columns are dimensionless `vector` so models of different
-- dimensions share them; each model's HNSW index casts to its own
-- vector(D) and is partial on the model id (see register_embedding_model).
CREATE TABLE "detections" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "image_id" UUID NOT NULL,
    "gallery_id" UUID NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "x1" REAL NOT NULL,
    "y1" REAL NOT NULL,
    "x2" REAL NOT NULL,
    "y2" REAL NOT NULL,
    "score" REAL NOT NULL,
    "student_model_id" TEXT NOT NULL,
    "student_embedding" vector,
    "teacher_model_id" TEXT,
    "teacher_embedding" vector,
    "teacher_status" "teacher_status" NOT NULL DEFAULT 'pending',
    "teacher_attempts" INTEGER NOT NULL DEFAULT 0,
    "teacher_last_error" TEXT,
    "teacher_next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "detections_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "detections_box_check" CHECK ("x2" >= "x1" AND "y2" >= "y1"),
    CONSTRAINT "detections_teacher_check" CHECK (("teacher_embedding" IS NULL) = ("teacher_model_id" IS NULL))
);

CREATE TABLE "models" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "role" "model_role" NOT NULL,
    "dimension" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "models_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "models_id_check" CHECK ("id" ~ '^[a-z0-9-]+$'),
    -- pgvector's HNSW indexes vectors of up to 2,000 dimensions.
    CONSTRAINT "models_dimension_check" CHECK ("dimension" BETWEEN 1 AND 2000)
);

CREATE TABLE "audit_log" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "actor_key_id" UUID,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("tenant_id", "id")
);

-- Indexes
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
CREATE UNIQUE INDEX "galleries_tenant_id_name_key" ON "galleries"("tenant_id", "name");
CREATE UNIQUE INDEX "devices_tenant_id_name_key" ON "devices"("tenant_id", "name");
CREATE UNIQUE INDEX "images_tenant_id_idempotency_key_key" ON "images"("tenant_id", "idempotency_key");
CREATE INDEX "images_tenant_id_gallery_id_captured_at_idx" ON "images"("tenant_id", "gallery_id", "captured_at");
CREATE INDEX "images_tenant_id_blob_sha256_idx" ON "images"("tenant_id", "blob_sha256");
CREATE INDEX "detections_tenant_id_image_id_idx" ON "detections"("tenant_id", "image_id");
CREATE INDEX "detections_tenant_id_gallery_id_captured_at_idx" ON "detections"("tenant_id", "gallery_id", "captured_at");
CREATE INDEX "detections_teacher_status_teacher_next_attempt_at_idx" ON "detections"("teacher_status", "teacher_next_attempt_at");
CREATE INDEX "audit_log_tenant_id_created_at_idx" ON "audit_log"("tenant_id", "created_at");

-- Foreign keys: every tenant-owned reference carries tenant_id, so a row can
-- only point at rows of its own tenant. Deleting a gallery deletes its images
-- and their detections (and so their vectors).
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "galleries" ADD CONSTRAINT "galleries_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "devices" ADD CONSTRAINT "devices_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "images" ADD CONSTRAINT "images_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "images" ADD CONSTRAINT "images_tenant_id_gallery_id_fkey" FOREIGN KEY ("tenant_id", "gallery_id") REFERENCES "galleries"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
-- A deleted device keeps its images; the reference is only cleared (not the tenant).
ALTER TABLE "images" ADD CONSTRAINT "images_tenant_id_device_id_fkey" FOREIGN KEY ("tenant_id", "device_id") REFERENCES "devices"("tenant_id", "id") ON DELETE SET NULL ("device_id") ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_image_id_fkey" FOREIGN KEY ("tenant_id", "image_id") REFERENCES "images"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_tenant_id_gallery_id_fkey" FOREIGN KEY ("tenant_id", "gallery_id") REFERENCES "galleries"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_student_model_id_fkey" FOREIGN KEY ("student_model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "detections" ADD CONSTRAINT "detections_teacher_model_id_fkey" FOREIGN KEY ("teacher_model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The application role. Roles are cluster-wide, so another database of the
-- same cluster may already have created it; the exception handler covers a
-- concurrent creator. The migrating user is made a member so that it can
-- SET ROLE to it (superusers, e.g. PGlite's, can anyway).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'person_search_app') THEN
        CREATE ROLE person_search_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;
GRANT person_search_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO person_search_app;
GRANT SELECT ON "tenants", "models" TO person_search_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "api_keys", "galleries", "devices", "images", "detections" TO person_search_app;
-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON "audit_log" TO person_search_app;

-- Row-level security. app.tenant_id is set with SET LOCAL (set_config(..., true))
-- per transaction. current_setting(..., true) is NULL when the setting was never
-- defined and '' after a transaction that set it has ended, so NULLIF maps both
-- to NULL, which matches no row: no tenant set means no rows.
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "tenants"
    USING ("id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "api_keys"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "galleries" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "galleries"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "devices" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "devices"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "images" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "images"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "detections" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "detections"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "audit_log"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Registers (or re-registers) an embedding model and creates its cosine HNSW
-- index: an expression index on the embedding cast to the model's dimension,
-- partial on the model id (pgvector's pattern for mixed dimensions). Queries
-- use it when they filter `<role>_model_id = '<id>'` and order by
-- `<role>_embedding::vector(D) <=> $query`. Re-registering the same id may
-- change version and sha256, never role or dimension (stored vectors and the
-- index depend on them). Returns the index name. Run as the table owner.
CREATE FUNCTION register_embedding_model(
    p_id TEXT, p_version TEXT, p_role "model_role", p_dimension INTEGER, p_sha256 TEXT
) RETURNS TEXT
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    existing models%ROWTYPE;
    index_name TEXT := format('detections_%s_%s_%s_hnsw',
        p_role, left(replace(p_id, '-', '_'), 30), left(md5(p_id), 6));
BEGIN
    SELECT * INTO existing FROM models WHERE id = p_id FOR UPDATE;
    IF FOUND AND (existing.role <> p_role OR existing.dimension <> p_dimension) THEN
        RAISE EXCEPTION 'model % is registered as % with dimension %; cannot re-register as % with dimension %',
            p_id, existing.role, existing.dimension, p_role, p_dimension
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO models (id, version, role, dimension, sha256)
        VALUES (p_id, p_version, p_role, p_dimension, p_sha256)
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, sha256 = EXCLUDED.sha256;
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON detections USING hnsw ((%I::vector(%s)) vector_cosine_ops) WHERE %I = %L',
        index_name, p_role || '_embedding', p_dimension, p_role || '_model_id', p_id);
    RETURN index_name;
END
$$;
REVOKE EXECUTE ON FUNCTION register_embedding_model(TEXT, TEXT, "model_role", INTEGER, TEXT) FROM PUBLIC;
