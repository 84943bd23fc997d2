-- The per-key request rate limit shared by every API replica (docs/scale-out.md
-- "Shared rate limit"). One token bucket per credential: what was left at
-- updated_at; a reconcile refills it for the time since, takes what a replica
-- spent locally and returns the remainder, in one upsert per batch of keys.
--
-- UNLOGGED: no WAL per reconcile, and a bucket lost in a crash only refills early.
-- key_id is TEXT, not UUID: the limiter treats keys as opaque (API key ids and
-- device ids today). tokens may go below zero: spending that replicas admitted
-- on a stale view is a debt the key repays before it is admitted again.
--
-- Not tenant data: a key id says nothing about a tenant's rows, and only the
-- table owner (the connecting role, as for the teacher queue and key lookup)
-- reconciles. So no grant to person_search_app and no RLS policy: tenant-scoped
-- work can neither read nor write it.
CREATE UNLOGGED TABLE "rate_limit" (
    "key_id" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("key_id")
);
