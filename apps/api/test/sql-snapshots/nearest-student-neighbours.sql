-- nearestStudentNeighbours, hnsw (apps/api/src/lib/repositories/detections-repository.ts)
WITH candidates AS MATERIALIZED (
      SELECT id, (student_embedding::vector(128) <=> ?::vector(128)) AS distance
      FROM detections
      WHERE tenant_id = ?::uuid
        AND student_model_id = ?
        AND (?::uuid[] IS NULL OR gallery_id = ANY(?::uuid[]))
        AND (?::timestamptz IS NULL OR captured_at >= ?::timestamptz)
        AND (?::timestamptz IS NULL OR captured_at <= ?::timestamptz)
        AND (?::uuid IS NULL OR id <> ?::uuid)
      ORDER BY student_embedding::vector(128) <=> ?::vector(128)
      LIMIT ?
    )
    SELECT id::text AS id, (1 - distance)::float8 AS similarity FROM candidates ORDER BY similarity DESC, id
