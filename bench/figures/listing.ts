/**
 * Figure 4: listing throughput. Stream every `sys_user` record (50,000 of them) through
 * `table.list()` and count them: records per second and the client's peak memory, per page size.
 * Each page size runs in a fresh worker process, so its memory is its own.
 *
 * @module
 */
import { getHeapStatistics } from "node:v8"
import { DEFAULT_PAGE_SIZE, makeServiceNow } from "@sn365/servicenow"
import { Effect, Redacted, Stream } from "effect"
import { type Bench, INSTANCE, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"

/** Records in the table (the seeded instance's own users come on top). */
export const LIST_RECORDS = 50_000
/** Page sizes compared; the client's default is among them. */
export const PAGE_SIZES = [200, DEFAULT_PAGE_SIZE, 1000, 2000, 5000] as const
/** At most this many measured runs per page size (each streams the whole table). */
const MAX_RUNS = 3

interface ListArgs {
  readonly pageSize: number
}

/** What one listing reports. */
interface Listed {
  readonly records: number
  readonly wallMs: number
  /** Peak V8 heap in use during the listing, above what was in use before it. */
  readonly peakHeapBytes: number
  /** Peak resident set size during the listing, above what it was before. */
  readonly peakRssBytes: number
}

/** Records between two memory samples (a sample is a system call; every record would slow the stream). */
const SAMPLE_EVERY = 100

const gc = (globalThis as { gc?: () => void }).gc

/** Tasks run in the worker. */
export const tasks = {
  stream: async ({ pageSize }: ListArgs, { fetch }: TaskContext): Promise<Listed> => {
    const sn = makeServiceNow({
      instanceUrl: INSTANCE,
      auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
      fetch,
    })
    gc?.()
    const heapBefore = getHeapStatistics().used_heap_size
    const rssBefore = process.memoryUsage.rss()
    let peakHeap = heapBefore
    let peakRss = rssBefore
    const sample = () => {
      peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size)
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
    }
    const sampler = setInterval(sample, 2)
    const started = performance.now()
    try {
      let seen = 0
      // A page is parsed at once, so memory peaks while its records are consumed: look then.
      const sampleNow = Effect.sync(() => {
        if (++seen % SAMPLE_EVERY === 0) sample()
      })
      const records = await Effect.runPromise(
        sn
          .table("sys_user")
          .list({ pageSize })
          .pipe(
            Stream.tap(() => sampleNow),
            Stream.runCount,
          ),
      )
      const wallMs = performance.now() - started
      sample()
      return { records, wallMs, peakHeapBytes: peakHeap - heapBefore, peakRssBytes: peakRss - rssBefore }
    } finally {
      clearInterval(sampler)
    }
  },
}

/** One page size's numbers. */
export interface PageSizeFigures {
  readonly pageSize: number
  readonly requests: number
  readonly wallMs: ReadonlyArray<number>
  readonly medianMs: number
  readonly recordsPerSecond: number
  readonly peakHeapBytes: number
  readonly peakRssBytes: number
  /** Mean time the emulator spent per page beyond the injected latency. */
  readonly serverMsPerPage: number
}

/** The numbers of figure 4. */
export interface ListingFigures {
  readonly records: number
  readonly latencyMs: number
  readonly defaultPageSize: number
  readonly pageSizes: ReadonlyArray<PageSizeFigures>
}

/** Runs figure 4. */
export const listingFigures = async (bench: Bench): Promise<ListingFigures> => {
  const { emulator, latencyMs } = bench
  emulator.reset()
  touch(emulator)
  emulator.servicenow.seedUsers(INSTANCE, LIST_RECORDS)
  const total = emulator.servicenow.count(INSTANCE, "sys_user")
  const runs = Math.min(bench.runs, MAX_RUNS)
  const pageSizes: Array<PageSizeFigures> = []
  for (const pageSize of PAGE_SIZES) {
    const wall: Array<number> = []
    const heap: Array<number> = []
    const rss: Array<number> = []
    let requests = 0
    let serverMs = 0
    for (let run = 0; run < runs; run++) {
      bench.log(`listing: page size ${pageSize}, run ${run + 1}/${runs}`)
      // A fresh process per listing: its peak memory is this listing's alone.
      const worker = await bench.worker({ exposeGc: true })
      try {
        emulator.requests.clear()
        const listed = await worker.run<Listed>("listing.stream", { pageSize })
        if (listed.records !== total) throw new Error(`listed ${listed.records} of ${total} records`)
        const log = emulator.requests.all()
        requests = log.length
        serverMs = log.reduce((sum, r) => sum + Math.max(0, r.durationMs - latencyMs), 0) / log.length
        wall.push(listed.wallMs)
        heap.push(listed.peakHeapBytes)
        rss.push(listed.peakRssBytes)
      } finally {
        await worker.close()
      }
    }
    const medianMs = median(wall)
    pageSizes.push({
      pageSize,
      requests,
      wallMs: wall,
      medianMs,
      recordsPerSecond: (total / medianMs) * 1000,
      peakHeapBytes: median(heap),
      peakRssBytes: median(rss),
      serverMsPerPage: serverMs,
    })
  }
  return { records: total, latencyMs, defaultPageSize: DEFAULT_PAGE_SIZE, pageSizes }
}
