/**
 * Figure 5: client overhead. One Table API GET of one record through `@sn365/servicenow`
 * (`table.get`, run with `Effect.runPromise`) against a raw `fetch` of the very same URL with the
 * same headers, parsed with `response.json()` — on loopback, without injected latency. Both go
 * through the same routing fetch to the emulator, interleaved, many times; the medians are compared.
 *
 * @module
 */
import { makeServiceNow } from "@sn365/servicenow"
import { Effect, Redacted } from "effect"
import { type Bench, INSTANCE, touch } from "../lib/host.ts"
import type { TaskContext } from "../lib/protocol.ts"
import { median } from "../lib/stats.ts"

/** Interleaved pairs measured (after as many unmeasured ones). */
export const OVERHEAD_ITERATIONS = 2000
const FIELDS = ["sys_id", "user_name", "email"] as const

interface OverheadArgs {
  readonly sysId: string
  readonly iterations: number
}

/** Tasks run in the worker. */
export const tasks = {
  compare: async ({ sysId, iterations }: OverheadArgs, { fetch }: TaskContext) => {
    const sn = makeServiceNow({
      instanceUrl: INSTANCE,
      auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
      fetch,
    })
    const users = sn.table("sys_user")
    const ours = () => Effect.runPromise(users.get(sysId, { fields: [...FIELDS] }))
    // The URL and headers the client sends for that call.
    const url =
      `https://${INSTANCE}.service-now.com/api/now/v2/table/sys_user/${sysId}` +
      `?sysparm_fields=${FIELDS.join("%2C")}&sysparm_display_value=false&sysparm_exclude_reference_link=true`
    const headers = {
      accept: "application/json",
      authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}`,
    }
    const raw = async () => {
      const response = await fetch(new Request(url, { headers }))
      if (!response.ok) throw new Error(`raw GET ${response.status}`)
      return (await response.json()) as unknown
    }
    const check = await ours()
    if (check.sys_id !== sysId) throw new Error("the client read another record")

    const client: Array<number> = []
    const direct: Array<number> = []
    for (let i = 0; i < iterations * 2; i++) {
      const measured = i >= iterations
      // Alternate which goes first, so neither always follows the other.
      const order = i % 2 === 0 ? ([ours, raw] as const) : ([raw, ours] as const)
      for (const call of order) {
        const started = performance.now()
        await call()
        const elapsed = performance.now() - started
        if (measured) (call === ours ? client : direct).push(elapsed)
      }
    }
    return { client, direct }
  },
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
    for (let run = 0; run < bench.runs; run++) {
      bench.log(`overhead: run ${run + 1}/${bench.runs}`)
      emulator.requests.clear()
      const { client, direct } = await worker.run<{ client: Array<number>; direct: Array<number> }>(
        "overhead.compare",
        { sysId, iterations: OVERHEAD_ITERATIONS },
      )
      clientMedians.push(median(client))
      rawMedians.push(median(direct))
      ratios.push(median(client) / median(direct))
    }
    const clientMedianMs = median(clientMedians)
    const rawMedianMs = median(rawMedians)
    return {
      iterations: OVERHEAD_ITERATIONS,
      clientMedianMs,
      rawMedianMs,
      ratio: median(ratios),
      addedUs: (clientMedianMs - rawMedianMs) * 1000,
    }
  } finally {
    emulator.setLatency(bench.latencyMs)
    await worker.close()
  }
}
