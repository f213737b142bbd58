/**
 * `startEmulator`: ServiceNow, the Entra token service, Microsoft Graph and the admin-center
 * support integration on one loopback port, stateful and strict, with seeded fault injection.
 *
 * @module
 */
import { type Fetch, type Routes, routingFetch } from "@sn365/core"
import { createMicrosoft, type MicrosoftControl, type MicrosoftOptions } from "./microsoft/index.ts"
import type { FaultController, FaultRule } from "./server/faults.ts"
import { seededRandom } from "./server/random.ts"
import type { RequestLog } from "./server/requestLog.ts"
import { startServer } from "./server/server.ts"
import { type Clock, makeClock } from "./server/system.ts"
import { createServiceNow, type ServiceNowControl, type ServiceNowOptions } from "./servicenow/index.ts"

/** Options for {@link startEmulator}. Everything is optional. */
export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string
  /** Port to listen on. Default `0` (any free port). */
  readonly port?: number
  /** Seed for every generated id, secret and probabilistic fault. Default `365`. */
  readonly seed?: number
  /** Delay added to every request, in milliseconds (benchmarks use 50). Default `0`. */
  readonly latencyMs?: number
  /** Fault rules active from the start; more can be added with `emulator.faults.add`. */
  readonly faults?: ReadonlyArray<FaultRule>
  readonly servicenow?: ServiceNowOptions
  readonly microsoft?: MicrosoftOptions
}

/** A running emulator. Close it with `await emulator.close()` (or `await using`). */
export interface Emulator extends AsyncDisposable {
  /** The loopback origin, e.g. `http://127.0.0.1:43117`. */
  readonly url: string
  /** Host patterns of the real services mapped to {@link url}, for `routingFetch`. */
  readonly routes: Routes
  /** A fetch that sends the real vendor host names to this emulator; give it to every client. */
  readonly fetch: Fetch
  readonly faults: FaultController
  readonly requests: RequestLog
  readonly clock: Clock
  /** Changes the latency added to every request. */
  readonly setLatency: (ms: number) => void
  readonly servicenow: ServiceNowControl
  readonly microsoft: MicrosoftControl
  /** Every system back to its seeded state; fault rules and the request log are cleared. */
  readonly reset: () => void
  /** A JSON-serialisable copy of every system's state. */
  readonly snapshot: () => Record<string, unknown>
  readonly close: () => Promise<void>
}

/**
 * Starts the emulator in-process.
 *
 * @example
 * ```ts
 * await using emulator = await startEmulator()
 * const response = await emulator.fetch(new Request("https://dev00000.service-now.com/api/now/table/sys_user?sysparm_limit=1"))
 * ```
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const random = seededRandom(options.seed ?? 365)
  const clock = makeClock()
  const context = { random, clock }
  const servicenow = createServiceNow(context, options.servicenow)
  const microsoft = createMicrosoft(context, options.microsoft)
  const systems = [servicenow.system, ...microsoft.systems]
  const server = await startServer({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    random,
    systems,
    latencyMs: options.latencyMs ?? 0,
    faults: options.faults ?? [],
  })
  const routes: Routes = Object.fromEntries(
    systems.flatMap((system) => system.hostPatterns.map((pattern) => [pattern, server.url])),
  )
  return {
    url: server.url,
    routes,
    fetch: routingFetch(routes),
    faults: server.faults,
    requests: server.requests,
    clock,
    setLatency: server.setLatency,
    servicenow: servicenow.control,
    microsoft: microsoft.control,
    reset: () => {
      for (const system of systems) system.reset()
      server.faults.clear()
      server.requests.clear()
    },
    snapshot: () => Object.fromEntries(systems.map((system) => [system.name, system.snapshot()])),
    close: server.close,
    [Symbol.asyncDispose]: server.close,
  }
}
