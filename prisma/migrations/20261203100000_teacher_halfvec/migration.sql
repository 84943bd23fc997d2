-- Teacher vectors as pgvector halfvec (IEEE 16-bit floats, pgvector >= 0.7; Postgres here has 0.8.0,
-- PGlite's @electric-sql/pglite-pgvector 0.8.7): 2 bytes per dimension instead of 4, so a 480-d
-- vector takes 968 bytes instead of 1,928 and a 1,536-d one 3,080 instead of 6,152. Teacher vectors
-- have no index (20261202120000_no_teacher_hnsw): the re-rank reads them by id and casts them to
-- vector(D) for the cosine against the float32 query, so only the stored side is rounded (measured
-- agreement with float32 in docs/scale-out.md). Rewrites the table once: on a large table run it in
-- a maintenance window.
ALTER TABLE "detections" ALTER COLUMN "teacher_embedding" TYPE halfvec USING "teacher_embedding"::halfvec;
