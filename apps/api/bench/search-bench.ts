// `npm run bench:search`: stage-1 search, GraphQL search, ingest and the teacher
// worker, each beside its target (issue 10) and a baseline measured in the
// same run, on PGlite and Postgres. Prints tables; writes
// bench/results/search.{json,svg}. `--help` for sizes and options.
import { parseArgs } from 'node:util';
import { DEFAULT_STUDENT_GRAPH, isolateTenantDetections, Prisma, type DatabaseTransaction } from '@person-search/db';
import { embeddingToBase64 } from '@person-search/model';
import { SearchPersonDocument } from '@person-search/schema';
import { ApiClient } from '../src/lib/demo/api-client.js';
import { annSettingsSql, annTransactionSettings, findDetectionsWithFrames, hasTimeWindow, nearestStudentNeighbours, nearestStudentNeighboursSql, type AnnCandidate, type AnnFilter, type ExactScanSplit } from '../src/lib/repositories/detections-repository.js';
import { benchIngest, benchTeacherHalfvec, benchWorker } from './search-bench-ingest.js';
import { BENCH_STUDENT_ID, KeepAliveGraphqlClient, buildStudentIndex, DAY_MS, DIMENSION, dropStudentIndex, loadTenant, random, retryReset, serverSetting, START, startBenchApi, type BenchEnvironment, type LoadedTenant } from './search-bench-data.js';
import { barsSvg, printSection, writeResults, type Cell, type Section } from './results-report.js';

const HELP = `Usage: npm run bench:search [-- options]

  --sizes <n,n>         rows per tenant (two tenants), default 10000 (e.g. 10000,100000; 1000000 on Postgres)
  --backends <list>     pglite,postgres (default both; Postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL,
                        a role that may CREATE DATABASE, with pgvector in template1)
  --pglite-max <n>      largest size PGlite is asked to hold (default 100000)
  --queries <n>         queries per measurement (default 20)
  --ingest-frames <n>   frames per ingest level (default 120; 10 detections each)
  --maintenance-work-mem <size>  for the HNSW build (default 1GB on Postgres, 256MB on PGlite)
  --parallel-workers <n>         max_parallel_maintenance_workers for the HNSW build on Postgres (default 1: 2 cores)
  --hnsw-m <n>, --hnsw-ef-construction <n>   the student's HNSW graph (default the product's 24 / 128;
                        pgvector's own defaults are 16 / 64), to measure recall against build time
  --isolate             move each loaded tenant into a partition of its own (db:isolate-tenant) before the
                        index build, so each walks a graph of its rows alone (default: one shared partition)
  --parts <list>        what to run: stage1,settings,graphql,ingest,worker,halfvec (default all; stage1/settings/graphql
                        load the rows first, ingest and worker use their own databases)
  --skip-ingest, --skip-worker   the same as leaving ingest / worker out of --parts
Writes bench/results/search.{json,svg}; with --parts other than all of them, search-<parts>.{json,svg}.`;

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000' }, backends: { type: 'string', default: 'pglite,postgres' }, 'pglite-max': { type: 'string', default: '100000' },
    queries: { type: 'string', default: '20' }, 'ingest-frames': { type: 'string', default: '120' }, 'maintenance-work-mem': { type: 'string' }, 'parallel-workers': { type: 'string', default: '1' }, isolate: { type: 'boolean', default: false }, 'hnsw-m': { type: 'string' }, 'hnsw-ef-construction': { type: 'string' },
    parts: { type: 'string', default: 'stage1,settings,graphql,ingest,worker,halfvec' }, 'skip-ingest': { type: 'boolean', default: false }, 'skip-worker': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const sizes = args.sizes!.split(',').map(Number);
const parts = new Set(args.parts!.split(',').map((part) => part.trim()));
if (args['skip-ingest']) parts.delete('ingest');
if (args['skip-worker']) parts.delete('worker');
const ALL_PARTS = ['stage1', 'settings', 'graphql', 'ingest', 'worker', 'halfvec'];
const unknownParts = [...parts].filter((part) => !ALL_PARTS.includes(part));
if (unknownParts.length > 0) {
  console.error(`unknown --parts ${unknownParts.join(', ')}; valid: ${ALL_PARTS.join(', ')}`);
  process.exit(2);
}
const loadsRows = ['stage1', 'settings', 'graphql'].some((part) => parts.has(part));
const queryCount = Number(args.queries);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? null;
const sections: Section[] = [];
const emit = (section: Section) => {
  printSection(section);
  sections.push(section);
};

/** Peak resident set size, sampled while the bench runs. */
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const mib = (bytes: number) => Math.round(bytes / 1048576);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length - 1) * p))] ?? 0;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** recall@k of `got` against the exact list, a hit counting if it is as similar as the k-th true neighbour (float ties). */
function recallAt(k: number, got: AnnCandidate[], exact: AnnCandidate[]): number {
  const n = Math.min(k, exact.length);
  if (n === 0) return 1;
  const floor = exact[n - 1]!.similarity - 1e-6;
  const truth = new Map(exact.map((c) => [c.id, c.similarity]));
  return got.slice(0, n).filter((c) => (truth.get(c.id) ?? -2) >= floor).length / n;
}

function filtersOf(tenant: LoadedTenant): { name: string; filter: Partial<AnnFilter> }[] {
  return [
    { name: 'none', filter: {} },
    { name: '1 gallery (33%)', filter: { galleryIds: [tenant.galleries[1]!] } },
    { name: '10 days (10%)', filter: { capturedAfter: new Date(START + 40 * DAY_MS), capturedBefore: new Date(START + 50 * DAY_MS - 1) } },
    { name: '1 day (1%)', filter: { capturedAfter: new Date(START + 40 * DAY_MS), capturedBefore: new Date(START + 41 * DAY_MS - 1) } },
  ];
}

function queryVectors(tenant: LoadedTenant): Float32Array[] {
  const next = random(99);
  return Array.from({ length: queryCount }, (_, i) => {
    const base = tenant.samples[(i * 7) % tenant.samples.length]!;
    const vector = base.map((value) => value + (next() * 2 - 1) * 0.05);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

/**
 * `exact-jit`: the exact scan with JIT compilation on (stage 1 turns it off), to keep that choice measured;
 * `auto-one`: the chosen plan on this transaction's connection alone (the service's with SEARCH_SCAN_CONNECTIONS=1).
 */
type Mode = 'auto' | 'auto-one' | 'hnsw' | 'exact' | 'exact-jit';
/** `split`: where the chosen plan may run an exact scan's time slices, as the service does (its free pooled connections). */
async function runStage1(tx: DatabaseTransaction, tenant: LoadedTenant, query: Float32Array, filter: AnnFilter, limit: number, mode: Mode, split?: ExactScanSplit) {
  if (mode === 'auto' || mode === 'auto-one') return nearestStudentNeighbours(tx, tenant.tenantId, query, filter, limit, { exactScanSplit: mode === 'auto' ? split : undefined });
  await tx.$queryRaw(annSettingsSql(limit)); // the exact scan too: the settings keep it in one process, as the service's
  if (mode === 'exact-jit') await tx.$queryRaw`SELECT set_config('jit', 'on', true)`;
  const plan = mode === 'exact-jit' ? 'exact' : mode;
  return { candidates: await tx.$queryRaw<AnnCandidate[]>(nearestStudentNeighboursSql(tenant.tenantId, query, filter, limit, plan)), plan: mode, admittedRows: -1, efSearch: limit, parts: 1 };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const BASE_FILTER: AnnFilter = { modelId: BENCH_STUDENT_ID, dimension: DIMENSION, galleryIds: null, capturedAfter: null, capturedBefore: null, excludeDetectionId: null };

async function benchStage1(bench: BenchEnvironment, tenant: LoadedTenant, rows: number, filters = filtersOf(tenant), title = 'exact vs HNSW vs the chosen plan'): Promise<void> {
  const db = bench.app.db;
  const queries = queryVectors(tenant);
  const base = BASE_FILTER;
  const table: Record<string, Cell>[] = [];
  const split: ExactScanSplit = {
    maxParts: bench.app.config.limits.searchScanConnections,
    freeConnections: () => db.freeConnections(),
    run: (work) => db.withTenantRaw(tenant.tenantId, work, { settings: annTransactionSettings(200) }),
  };
  for (const { name, filter: partial } of filters) {
    const filter = { ...base, ...partial };
    const exact: AnnCandidate[][] = [];
    // Where a time window makes the exact scan large (Postgres), two A/B pairs: JIT (costed over jit_above_cost
    // there; PGlite has no JIT), and the chosen plan on one connection against split across free ones.
    const modes: Mode[] = bench.backend === 'postgres' && hasTimeWindow(filter) ? ['exact', 'exact-jit', 'hnsw', 'auto', 'auto-one'] : ['exact', 'hnsw', 'auto'];
    const results = {} as Record<Mode, { ms: number[]; recall: number[]; short: number; plans: Set<string> }>;
    for (const mode of modes) results[mode] = { ms: [], recall: [], short: 0, plans: new Set() };
    // Query by query, every mode in turn (the exact answer first): each mode finds the same cache state, and
    // the machine's drift over a run falls on all of them alike.
    for (const [q, query] of queries.entries()) {
      for (const mode of modes) {
        const { ms, value } = await timed(() => db.withTenant(tenant.tenantId, (tx) => runStage1(tx, tenant, query, filter, 200, mode, split)));
        if (mode === 'exact') exact[q] = value.candidates;
        const r = results[mode];
        r.ms.push(ms);
        r.recall.push(recallAt(20, value.candidates, exact[q]!));
        if (value.candidates.length < exact[q]!.length) r.short++;
        r.plans.add(mode === 'auto' && value.plan !== 'exact' ? `${value.plan} (ef ${value.efSearch})` : mode === 'auto' && value.parts > 1 ? `exact in ${value.parts} parts` : value.plan);
      }
    }
    for (const mode of modes) {
      const r = results[mode];
      table.push({
        backend: bench.backend, 'rows/tenant': rows, filter: name, stage1: mode === 'auto' ? `chosen (${[...r.plans].join('+')})` : mode === 'auto-one' ? `chosen, one connection (${[...r.plans].join('+')})` : mode === 'exact-jit' ? 'exact, jit on' : mode,
        'p50 ms': round2(percentile(r.ms, 0.5)), 'p95 ms': round2(percentile(r.ms, 0.95)), 'recall@20 min': r.recall.length ? Math.min(...r.recall) : null,
        'recall@20 mean': r.recall.reduce((a, b) => a + b, 0) / r.recall.length, 'short pools': r.short,
        target: mode === 'auto' ? 'recall min ≥ 0.99, ≤ exact' : mode === 'auto-one' ? 'baseline of the split' : 'baseline',
      });
    }
  }
  emit({ title: `Stage 1 (SQL in a tenant transaction, pool 200, ${queryCount} queries): ${title}`, rows: table });

}

/**
 * The exact answers, one query at a time: at 1M rows an unfiltered exact scan takes over a second, and
 * 20 of them at once outwait Prisma's transaction start (P2028, seen in a 1M run).
 */
async function exactResults(db: BenchEnvironment['app']['db'], tenant: LoadedTenant, queries: Float32Array[], filter: AnnFilter, limit: number) {
  const results = [];
  for (const query of queries) results.push(await db.withTenant(tenant.tenantId, (tx) => runStage1(tx, tenant, query, filter, limit, 'exact')));
  return results;
}

interface SweepPoint {
  setting: string;
  filter: { name: string; value: AnnFilter };
  limit: number;
  /** The HNSW settings for this point (set in the query's transaction). */
  settings: Prisma.Sql;
}

/** One settings point: every query through HNSW under `point.settings`; p50 ms and recall@20 against the exact answers. */
async function measureSweepPoint(bench: BenchEnvironment, tenant: LoadedTenant, rows: number, queries: Float32Array[], exact: { candidates: AnnCandidate[] }[], point: SweepPoint): Promise<Record<string, Cell>> {
  const ms: number[] = [];
  const recall: number[] = [];
  const returned: number[] = [];
  for (const [q, query] of queries.entries()) {
    const { ms: elapsed, value } = await timed(() => bench.app.db.withTenant(tenant.tenantId, async (tx) => {
      await tx.$queryRaw(point.settings);
      return tx.$queryRaw<AnnCandidate[]>(nearestStudentNeighboursSql(tenant.tenantId, query, point.filter.value, point.limit, 'hnsw'));
    }));
    ms.push(elapsed);
    recall.push(recallAt(20, value, exact[q]!.candidates));
    returned.push(value.length);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return { backend: bench.backend, 'rows/tenant': rows, setting: point.setting, filter: point.filter.name, 'p50 ms': round2(percentile(ms, 0.5)), 'recall@20 min': Math.min(...recall), 'recall@20 mean': mean(recall), 'returned mean': mean(returned) };
}

/** ef_search sweeps (unfiltered top-20; pool 200 unfiltered and one gallery) and iterative scan modes (10-day filter, pool 200). */
async function benchHnswSettings(bench: BenchEnvironment, tenant: LoadedTenant, rows: number): Promise<void> {
  const db = bench.app.db;
  const queries = queryVectors(tenant);
  const [none, oneGallery, tenDays] = filtersOf(tenant).map(({ name, filter }) => ({ name, value: { ...BASE_FILTER, ...filter } }));
  const sweep: Record<string, Cell>[] = [];
  const exactTop = await exactResults(db, tenant, queries, none!.value, 20);
  for (const ef of [20, 40, 100, 200, 400]) {
    sweep.push(await measureSweepPoint(bench, tenant, rows, queries, exactTop, { setting: `ef_search ${ef}`, filter: none!, limit: 20, settings: Prisma.sql`SELECT set_config('hnsw.ef_search', ${String(ef)}, true)` }));
  }
  // Stage 1 as it runs (pool 200, iterative scan, ef_search = the pool) against wider searches, unfiltered and one gallery.
  for (const filter of [none!, oneGallery!]) {
    const exactPool = await exactResults(db, tenant, queries, filter.value, 200);
    for (const ef of [200, 400, 600, 800, 1000]) {
      sweep.push(await measureSweepPoint(bench, tenant, rows, queries, exactPool, { setting: `pool 200, ef_search ${ef}`, filter, limit: 200, settings: annSettingsSql(ef) }));
    }
  }
  const exactTen = await exactResults(db, tenant, queries, tenDays!.value, 200);
  for (const mode of ['off', 'relaxed_order', 'strict_order']) {
    const settings = Prisma.sql`SELECT set_config('hnsw.ef_search', '200', true), set_config('hnsw.iterative_scan', ${mode}, true)`;
    sweep.push(await measureSweepPoint(bench, tenant, rows, queries, exactTen, { setting: `iterative_scan ${mode}`, filter: tenDays!, limit: 200, settings }));
  }
  emit({ title: 'HNSW settings: ef_search (top-20, unfiltered) and iterative scan (pool 200, 10-day filter)', rows: sweep });
}

/** Through GraphQL (HTTP, auth, one transaction), student only: the targets are ≤ 20 ms unfiltered, ≤ 25 ms filtered at 1M. */
async function benchGraphqlSearch(bench: BenchEnvironment, tenant: LoadedTenant, rows: number): Promise<void> {
  const queries = queryVectors(tenant);
  const client = new ApiClient(bench.server.url, tenant.adminKey);
  const keepAlive = new KeepAliveGraphqlClient(bench.server.url, tenant.adminKey);
  const gql: Record<string, Cell>[] = [];
  const searchVariables = (query: Float32Array, filter: Partial<AnnFilter>) => ({
    input: {
      query: { embedding: { modelId: BENCH_STUDENT_ID, embedding: embeddingToBase64(query) } }, topK: 20, candidatePool: 200, rerank: false,
      galleryIds: filter.galleryIds ? [...filter.galleryIds] : null, capturedAfter: filter.capturedAfter?.toISOString() ?? null, capturedBefore: filter.capturedBefore?.toISOString() ?? null,
    },
  });
  // Warm-up, not recorded: the first requests of a process pay for compiling the request path.
  for (const query of queries.slice(0, 5)) {
    const variables = searchVariables(query, {});
    await retryReset(() => client.graphql(SearchPersonDocument, variables));
    await keepAlive.graphql(SearchPersonDocument, variables);
  }
  for (const { name, filter } of filtersOf(tenant)) {
    const ms: number[] = [];
    const keepAliveMs: number[] = [];
    const annMs: number[] = [];
    const queryMs: number[] = [];
    const rerankMs: number[] = [];
    const totalMs: number[] = [];
    const plans = new Set<string>();
    const hitIds: string[][] = [];
    for (const [index, query] of queries.entries()) {
      const variables = searchVariables(query, filter);
      // Each query runs with both clients, first with fetch or with node:http in turn: the second run of a
      // query finds its pages cached, and a fixed order handed that to one client (node:http, measured second).
      const viaKeepAlive = () => timed(() => keepAlive.graphql(SearchPersonDocument, variables));
      const keepAliveFirst = index % 2 === 1 ? await viaKeepAlive() : null;
      const { ms: elapsed, value } = await timed(() => retryReset(() => client.graphql(SearchPersonDocument, variables)));
      hitIds.push(value.searchPerson.hits.map((hit) => hit.detection.id));
      ms.push(elapsed);
      keepAliveMs.push((keepAliveFirst ?? (await viaKeepAlive())).ms);
      annMs.push(value.searchPerson.stats.annMs);
      queryMs.push(value.searchPerson.stats.queryMs);
      rerankMs.push(value.searchPerson.stats.rerankMs);
      totalMs.push(value.searchPerson.stats.totalMs);
      plans.add(value.searchPerson.stats.annParts > 1 ? `${value.searchPerson.stats.annPlan} in ${value.searchPerson.stats.annParts} parts` : value.searchPerson.stats.annPlan);
    }
    // The hit read (the statement behind most of stats.rerankMs when nothing is re-ranked) alone, once per query's hits.
    const hitReadMs: number[] = [];
    await bench.app.db.withTenantRaw(tenant.tenantId, async (sql) => {
      for (const ids of hitIds) hitReadMs.push((await timed(() => findDetectionsWithFrames(sql, tenant.tenantId, ids))).ms);
    });
    gql.push({ backend: bench.backend, 'rows/tenant': rows, filter: name, plan: [...plans].join('+'), 'p50 ms': round2(percentile(ms, 0.5)), 'p95 ms': round2(percentile(ms, 0.95)), 'p50 ms, node:http client': round2(percentile(keepAliveMs, 0.5)), 'stats.queryMs p50': round2(percentile(queryMs, 0.5)), 'stats.annMs p50': round2(percentile(annMs, 0.5)), 'stats.rerankMs p50': round2(percentile(rerankMs, 0.5)), 'hit read again p50': round2(percentile(hitReadMs, 0.5)), 'stats.totalMs p50': round2(percentile(totalMs, 0.5)), target: name === 'none' ? '≤ 20 ms at 1M' : '≤ 25 ms at 1M' });
  }
  keepAlive.close();
  emit({ title: 'searchPerson through GraphQL (embedding query, no re-rank, top 20 of 200; p50/p95 with fetch, and the same query with a kept-alive node:http client, each first for half the queries; stats.* from the fetch run)', rows: gql });
}

const summary: Record<string, Cell>[] = [];
try {
  for (const backend of args.backends!.split(',') as ('pglite' | 'postgres')[]) {
    if (backend === 'postgres' && !adminUrl) {
      console.log('\npostgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
      continue;
    }
    for (const rows of loadsRows ? sizes : []) {
      if (backend === 'pglite' && rows > Number(args['pglite-max'])) {
        console.log(`\npglite: ${rows} rows/tenant skipped (above --pglite-max)`);
        continue;
      }
      const bench = await startBenchApi(backend === 'postgres' ? adminUrl : null);
      try {
        await dropStudentIndex(bench);
        const load = await timed(async () => [await loadTenant(bench, `bench-a-${rows}`, rows, 1), await loadTenant(bench, `bench-b-${rows}`, rows, 2)]);
        const memory = args['maintenance-work-mem'] ?? (backend === 'postgres' ? '1GB' : '256MB');
        const workers = backend === 'postgres' ? Number(args['parallel-workers']) : 0;
        let isolateSeconds: number | null = null;
        if (args.isolate) {
          const started = performance.now();
          for (const tenant of load.value) await isolateTenantDetections(bench.app.db, tenant.tenantId, { maintenanceWorkMem: memory, parallelWorkers: workers });
          isolateSeconds = (performance.now() - started) / 1000;
          console.log(`\n${backend} ${rows} rows/tenant: both tenants moved into partitions of their own in ${isolateSeconds.toFixed(1)} s`);
        }
        const graph = { m: args['hnsw-m'] === undefined ? undefined : Number(args['hnsw-m']), efConstruction: args['hnsw-ef-construction'] === undefined ? undefined : Number(args['hnsw-ef-construction']) };
        const build = await buildStudentIndex(bench, memory, workers, graph);
        const buildSeconds = build.seconds;
        // The big two tenants' partitions are the slowest builds (the shared partition is empty, or holds the load when not isolated).
        const partitionBuilds = build.partitionSeconds.length > 1 ? build.partitionSeconds.map(round2).join(' / ') : '—';
        const sharedBuffers = await serverSetting(bench, 'shared_buffers');
        summary.push({
          backend, 'rows/tenant': rows, partitions: args.isolate ? 'one per tenant' : 'shared', 'load s (2 tenants, no index)': round2(load.ms / 1000), 'load rows/s': Math.round((2 * rows) / (load.ms / 1000)),
          'isolate s (both, no index)': isolateSeconds === null ? '—' : round2(isolateSeconds), 'HNSW build s': round2(buildSeconds), 'build s per partition, in order': partitionBuilds, 'm / ef_construction': `${graph.m ?? DEFAULT_STUDENT_GRAPH.m} / ${graph.efConstruction ?? DEFAULT_STUDENT_GRAPH.efConstruction}`, maintenance_work_mem: memory, 'parallel workers': workers, shared_buffers: sharedBuffers, 'build target': '≤ 600 s at 1M',
        });
        console.log(`\n${backend} ${rows} rows/tenant: loaded in ${(load.ms / 1000).toFixed(1)} s, HNSW build ${buildSeconds.toFixed(1)} s (per partition: ${partitionBuilds}; maintenance_work_mem ${memory}, ${workers} parallel workers, shared_buffers ${sharedBuffers}${args.isolate ? ', a partition per tenant' : ''})`);
        if (parts.has('stage1')) {
          await benchStage1(bench, load.value[0]!, rows);
          // A mid-size tenant joining the shared index later (rows inserted through the built index): a tenant is a
          // filter of the index, and this one holds ~1.2 % of it (above the 10k-row floor at 1M, far under 10 % of the
          // index). Its people are its own, as another venue's would be: nothing near its queries belongs to it but its own rows.
          const midRows = Math.round(rows / 40);
          const mid = await timed(() => loadTenant(bench, `bench-mid-${rows}`, midRows, 3, true));
          // The rows of the graph it shares: the shared partition's (its own tenants alone when the big two are isolated).
          const [{ indexRows }] = await bench.app.db.asSystem((tx) => tx.$queryRaw<{ indexRows: number }[]>`SELECT count(*)::int AS "indexRows" FROM detections WHERE tableoid = detections_partition_of(${mid.value.tenantId}::uuid)`) as [{ indexRows: number }];
          console.log(`\nmid-size tenant: ${midRows} rows inserted through the index in ${(mid.ms / 1000).toFixed(1)} s (${indexRows} rows in the index)`);
          await benchStage1(bench, mid.value, midRows, [{ name: `none (a tenant of ${midRows} rows, ${((100 * midRows) / indexRows).toFixed(1)} % of the index)`, filter: {} }], 'a mid-size tenant (its own people) without a filter');
        }
        if (parts.has('settings')) await benchHnswSettings(bench, load.value[0]!, rows);
        if (parts.has('graphql')) await benchGraphqlSearch(bench, load.value[0]!, rows);
      } finally {
        await bench.close();
      }
    }
    if (parts.has('ingest')) emit(await benchIngest(backend, backend === 'postgres' ? adminUrl : null, Number(args['ingest-frames'])));
  }
  if (parts.has('worker')) for (const batchSize of [16, 64]) emit(await benchWorker(batchSize));
  if (parts.has('halfvec')) emit(await benchTeacherHalfvec(queryCount));
} finally {
  clearInterval(rssTimer);
}
emit({ title: 'Load and index build', rows: summary });
emit({ title: 'Process', rows: [{ 'peak RSS MiB (bench + API + PGlite in one process)': mib(peakRss) }] });
const stage1 = sections.filter((section) => section.title.startsWith('Stage 1')).flatMap((section) => section.rows);
const allParts = parts.size === ALL_PARTS.length;
const files = writeResults(allParts ? 'search' : `search-${[...parts].join('-')}`, { sizes, parts: [...parts], sections }, barsSvg('stage-1 p50 ms (pool 200)', stage1.map((row) => ({ label: `${row.backend} ${row['rows/tenant']} ${row.filter} ${row.stage1}`, value: Number(row['p50 ms']) }))));
console.log(`\nwrote ${files.join(', ')}`);
