/**
 * Figure 5: client overhead. One Table API GET of one record through `@sn365/servicenow`
 * (`table.get`, run with `Effect.runPromise`) against a raw `fetch` of the very same URL with the
 * same headers, parsed with `response.json()` — on loopback, without injected latency. Both go
 * through the same routing fetch to the emulator, interleaved, many times; the medians are compared.
 *
 * Then the layers in between, each adding one part of the client to the one before, in an
 * interleaving of their own, say where the overhead goes:
 * - `openapiFetch`: openapi-fetch configured as the ServiceNow client configures it (its base URL,
 *   `redirect: "manual"`, the `Accept` header, core's URL serializers), building the `Request` from
 *   the typed path and query;
 * - `withSignal`: plus an `AbortSignal` per request (without one, a request can neither time out nor
 *   be interrupted);
 * - `transport`: plus core's `transportFetch` (the HTTPS rule, hand-followed redirects, HTML
 *   detection, network errors);
 * - `bridge`: plus core's `callWithResponse` run with `Effect.runPromise` (the Effect runtime, the
 *   timeout, typed HTTP errors);
 * - `client`: the whole `table.get` (the `Authorization` header, the retry policy, ServiceNow error
 *   mapping and the body's shape check).
 *
 * @module
 */
import { callWithResponse, commaQuerySerializer, pathSerializer, transportFetch } from "@sn365/core"
import { makeServiceNow } from "@sn365/servicenow"
import { Effect, Redacted } from "effect"
import createClient from "openapi-fetch"
import { type Bench, INSTANCE, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"

/** Interleaved rounds measured (after as many unmeasured ones). */
export const OVERHEAD_ITERATIONS = 2000
const FIELDS = ["sys_id", "user_name", "email"] as const

/** The calls compared: raw `fetch`, then each layer of the client in the order they add up. */
const LAYERS = ["raw", "openapiFetch", "withSignal", "transport", "bridge", "client"] as const
type Layer = (typeof LAYERS)[number]
/** The layers compared with raw fetch. */
type Added = Exclude<Layer, "raw">
const ADDED = LAYERS.filter((layer): layer is Added => layer !== "raw")
/** One ratio per added layer. */
const perLayer = (ratio: (layer: Added) => number) =>
  Object.fromEntries(ADDED.map((layer) => [layer, ratio(layer)])) as Readonly<Record<Added, number>>
type Samples = Partial<Record<Layer, Array<number>>>

interface OverheadArgs {
  readonly sysId: string
  readonly iterations: number
  /** The calls to interleave. */
  readonly layers: ReadonlyArray<Layer>
}

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
    const users = client(fetch).table("sys_user")
    // The URL and headers the client sends for that call.
    const url =
      `https://${INSTANCE}.service-now.com/api/now/v2/table/sys_user/${sysId}` +
      `?sysparm_fields=${FIELDS.join(",")}&sysparm_display_value=false&sysparm_exclude_reference_link=true`
    const headers = {
      accept: "application/json",
      authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}`,
    }
    // openapi-fetch with the options the servicenow client gives it (its `makeApis`), on `through`.
    const openapiFetch = (through: typeof fetch) =>
      createClient<Record<string, never>>({
        baseUrl: `https://${INSTANCE}.service-now.com`,
        fetch: through,
        redirect: "manual",
        headers: { accept: "application/json" },
        querySerializer: commaQuerySerializer,
        pathSerializer,
      }) as unknown as TypedGet
    const plain = openapiFetch(fetch)
    const transported = openapiFetch(transportFetch(fetch))
    const typed = async (via: TypedGet, signal: AbortSignal | undefined) => {
      const result = await via.GET("/api/now/{api_version}/table/{tableName}/{sys_id}", {
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
      if (!result.response.ok) throw new Error(`openapi-fetch GET ${result.response.status}`)
      return result
    }
    const calls: Record<Layer, () => Promise<unknown>> = {
      raw: async () => {
        const response = await fetch(new Request(url, { headers }))
        if (!response.ok) throw new Error(`raw GET ${response.status}`)
        return (await response.json()) as unknown
      },
      openapiFetch: () => typed(plain, undefined),
      withSignal: () => typed(plain, new AbortController().signal),
      transport: () => typed(transported, new AbortController().signal),
      bridge: () => Effect.runPromise(callWithResponse((signal) => typed(transported, signal))),
      client: () => Effect.runPromise(users.get(sysId, { fields: [...FIELDS] })),
    }
    const check = await Effect.runPromise(users.get(sysId, { fields: [...FIELDS] }))
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
    await typed(openapiFetch(recording), undefined)
    if (sent[0] !== url) throw new Error(`the client sent ${sent[0]}, not ${url}`)
    if (sent[1] !== url) throw new Error(`openapi-fetch sent ${sent[1]}, not ${url}`)

    const wallMs: Samples = Object.fromEntries(layers.map((layer) => [layer, []]))
    const cpuUs: Samples = Object.fromEntries(layers.map((layer) => [layer, []]))
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
          wallMs[layer]?.push(elapsed)
          cpuUs[layer]?.push(used.user + used.system)
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

/** One run of figure 5: the client against raw fetch, then the layers in their own interleaving. */
export interface OverheadRun {
  /** Median wall time per call (ms). */
  readonly clientMs: number
  readonly rawMs: number
  /** `clientMs ÷ rawMs`. */
  readonly ratio: number
  /** Median CPU time per call in the client's process (µs): the client side alone. */
  readonly cpuUs: { readonly raw: number; readonly client: number }
  /** Each layer's median ÷ the raw median of the layers' interleaving. */
  readonly layers: Readonly<Record<Added, number>>
}

/** The numbers of figure 5. */
export interface OverheadFigures {
  readonly iterations: number
  /** Every run, in the order run. */
  readonly runs: ReadonlyArray<OverheadRun>
  /**
   * The run whose ratio is the median (the lower middle one for an even number of runs): figure 5
   * is its ratio, shown with its own times.
   */
  readonly medianRun: OverheadRun
  /** Each layer's ratio, the median over the runs: what part of the overhead each one adds. */
  readonly layers: OverheadRun["layers"]
}

/** Runs figure 5, with the emulator's latency at 0. */
export const overheadFigures = async (bench: Bench): Promise<OverheadFigures> => {
  const { emulator } = bench
  emulator.reset()
  touch(emulator)
  const sysId = String(emulator.servicenow.find(INSTANCE, "sys_user", "user_name=itil")[0]?.sys_id)
  const worker = await bench.worker()
  emulator.setLatency(0)
  const compare = (layers: ReadonlyArray<Layer>) =>
    worker.run<Measured>("overhead.compare", { sysId, iterations: OVERHEAD_ITERATIONS, layers })
  const medianOf = (samples: Samples, layer: Layer) => median(samples[layer] ?? [])
  try {
    const runs: Array<OverheadRun> = []
    for (let run = 0; run < bench.runs; run++) {
      bench.log(`overhead: run ${run + 1}/${bench.runs}`)
      emulator.requests.clear()
      // The figure itself: the client against raw fetch alone, as a user would compare them.
      const pair = await compare(["raw", "client"])
      const clientMs = medianOf(pair.wallMs, "client")
      const rawMs = medianOf(pair.wallMs, "raw")
      const { wallMs: chain } = await compare(LAYERS)
      const rawChain = medianOf(chain, "raw")
      runs.push({
        clientMs,
        rawMs,
        ratio: clientMs / rawMs,
        cpuUs: { raw: medianOf(pair.cpuUs, "raw"), client: medianOf(pair.cpuUs, "client") },
        layers: perLayer((layer) => medianOf(chain, layer) / rawChain),
      })
    }
    const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio)
    const medianRun = byRatio[Math.floor((byRatio.length - 1) / 2)] as OverheadRun
    return {
      iterations: OVERHEAD_ITERATIONS,
      runs,
      medianRun,
      layers: perLayer((layer) => median(runs.map((run) => run.layers[layer]))),
    }
  } finally {
    emulator.setLatency(bench.latencyMs)
    await worker.close()
  }
}
