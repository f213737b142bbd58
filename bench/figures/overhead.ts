/**
 * Figure 5: client overhead. One Table API GET of one record through `@sn365/servicenow`
 * (`table.get`, run with `Effect.runPromise`) against a raw `fetch` of the very same URL with the
 * same headers, parsed with `response.json()` — on loopback, without injected latency. Both go
 * through the same routing fetch to the emulator, interleaved, many times; the medians are compared.
 *
 * Two layers in between, in the same interleaving, say what part of the overhead any client built
 * like ours pays: openapi-fetch alone (building the `Request` from the typed path and query), and
 * openapi-fetch with an `AbortSignal` (without one, a request can neither time out nor be
 * interrupted). The rest is sn365's own: transport rules, the Effect bridge, retry policy, typed
 * errors and the body's shape check.
 *
 * @module
 */
import { makeServiceNow } from "@sn365/servicenow"
import { Effect, Redacted } from "effect"
import createClient, { createQuerySerializer } from "openapi-fetch"
import { type Bench, INSTANCE, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"

/** Interleaved pairs measured (after as many unmeasured ones). */
export const OVERHEAD_ITERATIONS = 2000
const FIELDS = ["sys_id", "user_name", "email"] as const

interface OverheadArgs {
  readonly sysId: string
  readonly iterations: number
  /** The calls to interleave. */
  readonly layers: ReadonlyArray<Layer>
}

/** The calls compared, in the order of the layers they add. */
type Layer = "raw" | "openapiFetch" | "withSignal" | "client"
type Samples = Record<Layer, Array<number>>

/** Wall time per call (ms) and the worker's CPU time per call (µs: user + system), per layer. */
interface Measured {
  readonly wallMs: Samples
  readonly cpuUs: Samples
}

/** Tasks run in the worker. */
export const tasks = {
  compare: async ({ sysId, iterations, layers }: OverheadArgs, { fetch }: TaskContext) => {
    const client = (through: typeof fetch) =>
      makeServiceNow({
        instanceUrl: INSTANCE,
        auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
        fetch: through,
      })
    const sn = client(fetch)
    const users = sn.table("sys_user")
    const ours = () => Effect.runPromise(users.get(sysId, { fields: [...FIELDS] }))
    // The URL and headers the client sends for that call.
    const url =
      `https://${INSTANCE}.service-now.com/api/now/v2/table/sys_user/${sysId}` +
      `?sysparm_fields=${FIELDS.join(",")}&sysparm_display_value=false&sysparm_exclude_reference_link=true`
    const headers = {
      accept: "application/json",
      authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}`,
    }
    const raw = async () => {
      const response = await fetch(new Request(url, { headers }))
      if (!response.ok) throw new Error(`raw GET ${response.status}`)
      return (await response.json()) as unknown
    }
    // openapi-fetch as the servicenow client configures it, on the same fetch.
    const openapiFetch = (through: typeof fetch) =>
      createClient<Record<string, never>>({
        baseUrl: `https://${INSTANCE}.service-now.com`,
        fetch: through,
        redirect: "manual",
        headers: { accept: "application/json" },
        querySerializer: createQuerySerializer({ array: { style: "form", explode: false } }),
      }) as unknown as TypedGet
    const api = openapiFetch(fetch)
    const typed = async (signal: AbortSignal | undefined, via: TypedGet = api) => {
      const { data, response } = await via.GET("/api/now/{api_version}/table/{tableName}/{sys_id}", {
        params: {
          path: { api_version: "v2", tableName: "sys_user", sys_id: sysId },
          query: {
            sysparm_fields: [...FIELDS],
            sysparm_display_value: false,
            sysparm_exclude_reference_link: true,
          },
        },
        headers: { authorization: headers.authorization },
        signal,
      })
      if (!response.ok) throw new Error(`openapi-fetch GET ${response.status}`)
      return data
    }
    const calls: Record<Layer, () => Promise<unknown>> = {
      raw,
      openapiFetch: () => typed(undefined),
      withSignal: () => typed(new AbortController().signal),
      client: ours,
    }
    const check = await ours()
    if (check.sys_id !== sysId) throw new Error("the client read another record")
    // Every layer must send the very request the client sends.
    const sent: Array<string> = []
    const recording: typeof fetch = (request) => {
      sent.push(request.url)
      return fetch(request)
    }
    await Effect.runPromise(
      client(recording)
        .table("sys_user")
        .get(sysId, { fields: [...FIELDS] }),
    )
    await typed(undefined, openapiFetch(recording))
    if (sent[0] !== url) throw new Error(`the client sent ${sent[0]}, not ${url}`)
    if (sent[1] !== url) throw new Error(`openapi-fetch sent ${sent[1]}, not ${url}`)

    const wallMs: Samples = { raw: [], openapiFetch: [], withSignal: [], client: [] }
    const cpuUs: Samples = { raw: [], openapiFetch: [], withSignal: [], client: [] }
    for (let i = 0; i < iterations * 2; i++) {
      const measured = i >= iterations
      // Rotate which goes first, so none always follows another.
      for (let j = 0; j < layers.length; j++) {
        const layer = layers[(i + j) % layers.length] as Layer
        // The emulator runs in the parent: this process's CPU is the client side's alone.
        const cpu = process.cpuUsage()
        const started = performance.now()
        await calls[layer]()
        const elapsed = performance.now() - started
        const used = process.cpuUsage(cpu)
        if (measured) {
          wallMs[layer].push(elapsed)
          cpuUs[layer].push(used.user + used.system)
        }
      }
    }
    return { wallMs, cpuUs } satisfies Measured
  },
}

/** The untyped view of openapi-fetch's `GET` the layers use (the bench has no spec of its own). */
interface TypedGet {
  readonly GET: (
    path: string,
    init: {
      readonly params: { readonly path: Record<string, string>; readonly query: Record<string, unknown> }
      readonly headers: Record<string, string>
      readonly signal: AbortSignal | undefined
    },
  ) => Promise<{ readonly data?: unknown; readonly response: Response }>
}

/** The numbers of figure 5. */
export interface OverheadFigures {
  readonly iterations: number
  readonly clientMedianMs: number
  readonly rawMedianMs: number
  /** Figure 5: client median ÷ raw median. */
  readonly ratio: number
  /** The client's added time per call, in microseconds. */
  readonly addedUs: number
  /**
   * CPU time per call in the client's process (µs, medians over the runs of per-call medians): the
   * client side alone, without the emulator's share of the wall time.
   */
  readonly cpuUs: { readonly raw: number; readonly client: number }
  /** Each layer's median ÷ the raw median (medians over the runs): what part of the ratio it explains. */
  readonly layers: {
    readonly openapiFetch: number
    readonly withSignal: number
  }
}

/** Runs figure 5, with the emulator's latency at 0. */
export const overheadFigures = async (bench: Bench): Promise<OverheadFigures> => {
  const { emulator } = bench
  emulator.reset()
  touch(emulator)
  const sysId = String(emulator.servicenow.find(INSTANCE, "sys_user", "user_name=itil")[0]?.sys_id)
  const worker = await bench.worker()
  emulator.setLatency(0)
  try {
    const ratios: Array<number> = []
    const clientMedians: Array<number> = []
    const rawMedians: Array<number> = []
    const cpuUs = { raw: [] as Array<number>, client: [] as Array<number> }
    const layerRatios = { openapiFetch: [] as Array<number>, withSignal: [] as Array<number> }
    for (let run = 0; run < bench.runs; run++) {
      bench.log(`overhead: run ${run + 1}/${bench.runs}`)
      emulator.requests.clear()
      // The figure itself: the client against raw fetch alone, as a user would compare them.
      const compare = (layers: ReadonlyArray<Layer>) =>
        worker.run<Measured>("overhead.compare", { sysId, iterations: OVERHEAD_ITERATIONS, layers })
      const { wallMs: pair, cpuUs: pairCpu } = await compare(["raw", "client"])
      clientMedians.push(median(pair.client))
      rawMedians.push(median(pair.raw))
      ratios.push(median(pair.client) / median(pair.raw))
      cpuUs.raw.push(median(pairCpu.raw))
      cpuUs.client.push(median(pairCpu.client))
      // Then the layers in between, in their own interleaving (against their own raw calls).
      const { wallMs: layers } = await compare(["raw", "openapiFetch", "withSignal"])
      layerRatios.openapiFetch.push(median(layers.openapiFetch) / median(layers.raw))
      layerRatios.withSignal.push(median(layers.withSignal) / median(layers.raw))
    }
    const clientMedianMs = median(clientMedians)
    const rawMedianMs = median(rawMedians)
    return {
      iterations: OVERHEAD_ITERATIONS,
      clientMedianMs,
      rawMedianMs,
      ratio: median(ratios),
      addedUs: (clientMedianMs - rawMedianMs) * 1000,
      cpuUs: { raw: median(cpuUs.raw), client: median(cpuUs.client) },
      layers: { openapiFetch: median(layerRatios.openapiFetch), withSignal: median(layerRatios.withSignal) },
    }
  } finally {
    emulator.setLatency(bench.latencyMs)
    await worker.close()
  }
}
