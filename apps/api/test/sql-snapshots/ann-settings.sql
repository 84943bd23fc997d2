-- annSettings
SELECT set_config('hnsw.ef_search', ?, true), set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('max_parallel_workers_per_gather', '0', true)
