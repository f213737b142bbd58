/**
 * The contract between the HTTP server and each emulated system (ServiceNow, the Entra token
 * service, Microsoft Graph, the admin-center support integration).
 *
 * @module
 */
import type { EmulatorRequest, EmulatorResponse, SystemName } from "./http.ts"
import type { Random } from "./random.ts"

/** The emulator's clock: real time plus an offset that tests can move forward. */
export interface Clock {
  /** Milliseconds since the epoch, as the emulated systems see it. */
  readonly now: () => number
  /** Moves emulated time forward (token expiry, replication-lag windows, rate-limit windows). */
  readonly advance: (ms: number) => void
}

/** What every system receives when it is created. */
export interface SystemContext {
  readonly random: Random
  readonly clock: Clock
}

/** One emulated system, served on the host names it claims. */
export interface EmulatedSystem {
  readonly name: SystemName
  /** Whether this system serves `host` (lower-case, without port). */
  readonly serves: (host: string) => boolean
  /** Host patterns to route to the emulator, in `routingFetch` form (`*.service-now.com`). */
  readonly hostPatterns: ReadonlyArray<string>
  readonly handle: (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>
  /** The answer to an injected fault `status`, in this system's own error format. */
  readonly faultResponse: (status: number, request: EmulatorRequest) => EmulatorResponse
  /** Back to the seeded state. */
  readonly reset: () => void
  /** A JSON-serialisable copy of the whole state, for comparisons in tests. */
  readonly snapshot: () => unknown
}

/** @internal */
export const makeClock = (): Clock => {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms
    },
  }
}
