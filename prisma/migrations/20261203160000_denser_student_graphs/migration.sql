-- A student model's HNSW graph is built with explicit m / ef_construction,
-- 24 / 128 unless the caller passes others (pgvector's defaults are 16 / 64).
-- Measured at 1M rows/tenant in a tenant's own partition (docs/scale-out.md):
-- with 16 / 64 the minimum recall@20 where HNSW runs was 0–0.85 unfiltered and
-- 0.80–0.90 under a gallery filter, build to build; with 24 / 128 it was 1.00
-- for both, at 10.0 and 19.0 ms, for 1.7x the build time. Existing indexes keep
-- the graph they were built with (drop the model's index and re-register to
-- rebuild); every partition, including one made by isolate_tenant_detections
-- later, takes the options of the index declared on the parent.
DROP FUNCTION register_embedding_model(TEXT, TEXT, "model_role", INTEGER, TEXT);

CREATE FUNCTION register_embedding_model(
    p_id TEXT, p_version TEXT, p_role "model_role", p_dimension INTEGER, p_sha256 TEXT,
    p_m INTEGER DEFAULT 24, p_ef_construction INTEGER DEFAULT 128
) RETURNS TEXT
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    existing models%ROWTYPE;
    index_name TEXT := format('detections_%s_%s_%s_hnsw',
        p_role, left(replace(p_id, '-', '_'), 30), left(md5(p_id), 6));
BEGIN
    -- pgvector's own bounds: m 2..100, ef_construction 4..1000 and at least 2 × m.
    IF p_m IS NULL OR p_m < 2 OR p_m > 100 OR p_ef_construction IS NULL OR p_ef_construction < 4
       OR p_ef_construction > 1000 OR p_ef_construction < 2 * p_m THEN
        RAISE EXCEPTION 'HNSW graph options out of range: m % (2..100), ef_construction % (4..1000, at least 2 × m)',
            p_m, p_ef_construction USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO existing FROM models WHERE id = p_id FOR UPDATE;
    IF FOUND AND (existing.role <> p_role OR existing.dimension <> p_dimension) THEN
        RAISE EXCEPTION 'model % is registered as % with dimension %; cannot re-register as % with dimension %',
            p_id, existing.role, existing.dimension, p_role, p_dimension
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO models (id, version, role, dimension, sha256)
        VALUES (p_id, p_version, p_role, p_dimension, p_sha256)
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, sha256 = EXCLUDED.sha256;
    IF p_role <> 'student' THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON detections USING hnsw ((%I::vector(%s)) vector_cosine_ops) WITH (m = %s, ef_construction = %s) WHERE %I = %L',
        index_name, p_role || '_embedding', p_dimension, p_m, p_ef_construction, p_role || '_model_id', p_id);
    RETURN index_name;
END
$$;
REVOKE EXECUTE ON FUNCTION register_embedding_model(TEXT, TEXT, "model_role", INTEGER, TEXT, INTEGER, INTEGER) FROM PUBLIC;
