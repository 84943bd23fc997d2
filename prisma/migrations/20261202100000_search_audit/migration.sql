-- Gallery scope for the audit log and a search audit.
--
-- audit_log.gallery_ids: the galleries an admin action touched; empty for
-- tenant-wide actions (tenant creation, unscoped keys, devices), like
-- api_keys.gallery_ids. A gallery-scoped admin sees only rows whose galleries
-- all lie in its scope (and never tenant-wide ones).
ALTER TABLE "audit_log" ADD COLUMN "gallery_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[];
-- Earlier gallery actions name their gallery in the target.
UPDATE "audit_log" SET "gallery_ids" = ARRAY[substring("target" FROM 9)::uuid]
    WHERE "action" LIKE 'gallery.%' AND "target" ~ '^gallery:[0-9a-f-]{36}$';

-- One row per searchPerson: who searched (key and, for device tokens, the
-- device), which galleries (empty = every gallery of the tenant), how many
-- hits, how long, and the outcome (`OK` or the error code).
CREATE TABLE "search_audit" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "actor_key_id" UUID,
    "device_id" UUID,
    "gallery_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "hits" INTEGER NOT NULL DEFAULT 0,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "outcome" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "search_audit_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "search_audit_tenant_id_created_at_idx" ON "search_audit"("tenant_id", "created_at");
ALTER TABLE "search_audit" ADD CONSTRAINT "search_audit_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only for the application, like the audit log.
GRANT SELECT, INSERT ON "search_audit" TO person_search_app;
ALTER TABLE "search_audit" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "search_audit"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
