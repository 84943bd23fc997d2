-- annSettings (values: hnsw.ef_search, 200, hnsw.iterative_scan, relaxed_order, max_parallel_workers_per_gather, 0, jit, off)
SELECT set_config(?, ?, true), set_config(?, ?, true), set_config(?, ?, true), set_config(?, ?, true)
