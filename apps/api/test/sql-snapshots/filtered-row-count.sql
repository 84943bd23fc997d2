-- filteredRowCount (apps/api/src/lib/repositories/detections-repository.ts)
SELECT count(*)::int AS count, min(captured_at) AS earliest, max(captured_at) AS latest FROM (
      SELECT captured_at FROM detections
      WHERE tenant_id = ?::uuid
        AND gallery_id = ANY(COALESCE(?::uuid[], ARRAY(SELECT id FROM galleries WHERE tenant_id = ?::uuid)))
        AND (?::timestamptz IS NULL OR captured_at >= ?::timestamptz)
        AND (?::timestamptz IS NULL OR captured_at <= ?::timestamptz)
      LIMIT ?
    ) AS admitted
