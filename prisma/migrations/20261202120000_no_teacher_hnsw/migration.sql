-- Teacher vectors get no HNSW index. Search never runs a nearest-neighbour
-- scan over them: stage 2 reads the teacher vectors of the stage-1 candidates
-- by id. The index only cost every teacher write an HNSW insert of a 1,536-d
-- vector (measured: the teacher worker ran at 0.17-0.40x decode + embed of the
-- same frames in-process). register_embedding_model now creates the index for
-- students only and returns NULL for teachers; existing teacher indexes go.
CREATE OR REPLACE FUNCTION register_embedding_model(
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
    IF p_role <> 'student' THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON detections USING hnsw ((%I::vector(%s)) vector_cosine_ops) WHERE %I = %L',
        index_name, p_role || '_embedding', p_dimension, p_role || '_model_id', p_id);
    RETURN index_name;
END
$$;
REVOKE EXECUTE ON FUNCTION register_embedding_model(TEXT, TEXT, "model_role", INTEGER, TEXT) FROM PUBLIC;

DO $$
DECLARE
    teacher_index RECORD;
BEGIN
    FOR teacher_index IN
        SELECT indexname FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = 'detections' AND indexname LIKE 'detections\_teacher\_%\_hnsw'
    LOOP
        EXECUTE format('DROP INDEX %I', teacher_index.indexname);
    END LOOP;
END
$$;
