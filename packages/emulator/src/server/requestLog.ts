/**
 * A record of every request the emulator answered: what tests and benchmarks count
 * (round trips, retries, duplicates) without trusting the client's own account.
 *
 * @module
 */
import type { SystemName } from "./http.ts"

/** One answered (or deliberately dropped) request. */
export interface LoggedRequest {
  readonly system: SystemName | "unknown"
  readonly method: string
  readonly host: string
  /** Path and query as sent. */
  readonly path: string
  /** Status sent, or `0` when the connection was reset or left hanging by a fault. */
  readonly status: number
  readonly startedAt: number
  readonly durationMs: number
  /** Whether a fault rule decided the outcome. */
  readonly faulted: boolean
}

/** Read access to the request log. */
export interface RequestLog {
  readonly all: () => ReadonlyArray<LoggedRequest>
  readonly count: (filter?: (request: LoggedRequest) => boolean) => number
  readonly clear: () => void
}

/** @internal */
export const makeRequestLog = (limit = 100_000) => {
  let entries: Array<LoggedRequest> = []
  const record = (entry: LoggedRequest) => {
    entries.push(entry)
    // Keep memory bounded during long benchmarks: drop the oldest half when full.
    if (entries.length > limit) entries = entries.slice(entries.length - limit / 2)
  }
  const log: RequestLog = {
    all: () => entries,
    count: (filter) => (filter === undefined ? entries.length : entries.filter(filter).length),
    clear: () => {
      entries = []
    },
  }
  return { record, log }
}
