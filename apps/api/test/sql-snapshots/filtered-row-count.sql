-- filteredRowCount (apps/api/src/lib/repositories/detections-repository.ts)
SELECT count(*)::int AS count FROM (
      SELECT 1 FROM detections
      WHERE tenant_id = ?::uuid
        AND gallery_id = ANY(COALESCE(?::uuid[], ARRAY(SELECT id FROM galleries WHERE tenant_id = ?::uuid)))
        AND (?::timestamptz IS NULL OR captured_at >= ?::timestamptz)
        AND (?::timestamptz IS NULL OR captured_at <= ?::timestamptz)
      LIMIT ?
    ) AS admitted
