-- Device enrolment: kiosks no longer hold an API key. An admin issues a
-- one-time enrolment code for a registered device; the device exchanges it for
-- a short-lived access token and a long-lived refresh token (rotated on every
-- refresh, a reused one revokes its whole chain). Devices carry the role their
-- tokens act with and the galleries they are bound to.

CREATE TYPE "device_role" AS ENUM ('DEVICE', 'SEARCH');
CREATE TYPE "device_token_kind" AS ENUM ('access', 'refresh');

ALTER TABLE "devices"
    ADD COLUMN "role" "device_role" NOT NULL DEFAULT 'DEVICE',
    ADD COLUMN "gallery_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    ADD COLUMN "revoked_at" TIMESTAMPTZ(3);

-- Only the SHA-256 of a code is stored; it is globally unique so that the
-- unauthenticated exchange can find the tenant from the code alone.
CREATE TABLE "device_enrolments" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "device_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "device_enrolments_pkey" PRIMARY KEY ("tenant_id", "id")
);

-- Access and refresh tokens `psd_/psr_<prefix>_<secret>`: prefix in clear
-- (lookup), secret as SHA-256. family_id groups the tokens of one enrolment,
-- so a reused refresh token can revoke every token descended from it.
CREATE TABLE "device_tokens" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "device_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "kind" "device_token_kind" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "device_tokens_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE UNIQUE INDEX "device_enrolments_code_hash_key" ON "device_enrolments"("code_hash");
CREATE INDEX "device_enrolments_tenant_id_device_id_idx" ON "device_enrolments"("tenant_id", "device_id");
CREATE UNIQUE INDEX "device_tokens_prefix_key" ON "device_tokens"("prefix");
CREATE INDEX "device_tokens_tenant_id_device_id_idx" ON "device_tokens"("tenant_id", "device_id");
CREATE INDEX "device_tokens_tenant_id_family_id_idx" ON "device_tokens"("tenant_id", "family_id");

ALTER TABLE "device_enrolments" ADD CONSTRAINT "device_enrolments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "device_enrolments" ADD CONSTRAINT "device_enrolments_tenant_id_device_id_fkey" FOREIGN KEY ("tenant_id", "device_id") REFERENCES "devices"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "device_tokens" ADD CONSTRAINT "device_tokens_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "device_tokens" ADD CONSTRAINT "device_tokens_tenant_id_device_id_fkey" FOREIGN KEY ("tenant_id", "device_id") REFERENCES "devices"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

GRANT SELECT, INSERT, UPDATE, DELETE ON "device_enrolments", "device_tokens" TO person_search_app;

ALTER TABLE "device_enrolments" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "device_enrolments"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE "device_tokens" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "device_tokens"
    USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
