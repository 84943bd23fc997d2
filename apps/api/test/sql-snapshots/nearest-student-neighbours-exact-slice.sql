-- nearestStudentNeighbours, exact, one time slice of a split scan (apps/api/src/lib/repositories/detections-repository.ts)
SELECT id::text AS id, similarity FROM (
      SELECT id, (1 - (student_embedding::vector(128) <=> ?::vector(128)))::float8 AS similarity
      FROM detections
      WHERE tenant_id = ?::uuid
        AND student_model_id = ?
        AND gallery_id = ANY(COALESCE(?::uuid[], ARRAY(SELECT id FROM galleries WHERE tenant_id = ?::uuid)))
        AND (?::timestamptz IS NULL OR captured_at >= ?::timestamptz)
        AND (?::timestamptz IS NULL OR captured_at <= ?::timestamptz)
        AND (?::uuid IS NULL OR id <> ?::uuid)
        AND captured_at >= ?::timestamptz
        AND captured_at < ?::timestamptz
      ORDER BY similarity DESC, id
      LIMIT ?
    ) AS nearest
    ORDER BY similarity DESC, nearest.id
