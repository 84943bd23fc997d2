-- indexRowsEstimate (apps/api/src/lib/repositories/detections-repository.ts)
SELECT GREATEST(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = detections_partition_of(?::uuid)
