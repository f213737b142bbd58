/**
 * Where a run's wall time went, read off the emulator's request log: the longest chain of requests
 * that ran one after another (each started after the previous one finished). Its length is the
 * number of round trips the run really waited on in sequence; what the chain's requests spent
 * beyond the injected latency is the server's processing; the rest of the wall time is the client.
 *
 * @module
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel"
import type { LoggedRequest } from "@sn365/emulator"

/** A request as the client sent it: `METHOD path?query`, and `Date.now()` when it was written to its socket. */
export interface Send {
  readonly request: string
  readonly atMs: number
}

// Node's fetch (undici) publishes here as it writes a request's headers. A request is written some
// time after it is handed to fetch: after a new connection opens, or after a turn of the event loop
// that checks an idle one. That time is the client's, not the emulator's queue.
const SEND_HEADERS = "undici:client:sendHeaders"

/** Records into `sends` each request the process writes until the returned function is called. */
export const recordWrites = (sends: Array<Send>): (() => void) => {
  const onWrite = (message: unknown) => {
    const { request } = message as { readonly request: { readonly method: string; readonly path: string } }
    sends.push({ request: `${request.method} ${request.path}`, atMs: Date.now() })
  }
  subscribe(SEND_HEADERS, onWrite)
  return () => unsubscribe(SEND_HEADERS, onWrite)
}

/** The breakdown of one run. */
export interface ChainBreakdown {
  /** Requests on the longest sequential chain: the round trips the run waited on, one by one. */
  readonly hops: number
  /** The chain's requests, as `METHOD host path` (query dropped). */
  readonly chain: ReadonlyArray<string>
  /** Time the chain's requests spent in the emulator beyond the injected latency. */
  readonly serverMs: number
  /**
   * Time the chain's requests waited between the client writing them to their sockets and the
   * emulator starting on them: the emulator is one event loop, so requests sent together are
   * served one by one. Zero when the client's writes are not known.
   */
  readonly queuedMs: number
  /** Wall time neither on the chain's latency, its processing nor its queueing: the client's own time. */
  readonly clientMs: number
  /** The client's time before the chain's first request, between each pair, and after the last. */
  readonly gapsMs: ReadonlyArray<number>
}

// Date.now() in the log has millisecond resolution: a request that starts in the same millisecond
// as the previous one finished still follows it.
const TOLERANCE_MS = 1

/** The longest chain in `requests` and how a run's wall time (started at epoch `startedAtMs`) divides along it. */
export const chainBreakdown = (
  requests: ReadonlyArray<LoggedRequest>,
  latencyMs: number,
  run: { readonly startedAtMs: number; readonly wallMs: number; readonly sends?: ReadonlyArray<Send> },
): ChainBreakdown => {
  const { startedAtMs, wallMs } = run
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt)
  const endOf = (i: number) => {
    const request = sorted[i] as LoggedRequest
    return request.startedAt + request.durationMs
  }
  // Of chains equally long, the one that ends last: it is the one the run waited for, so the
  // client's gaps along it (and after it) are the ones that cost wall time.
  const longerOrLater = (i: number, depthOfI: number, j: number, depthOfJ: number) =>
    depthOfI > depthOfJ || (depthOfI === depthOfJ && endOf(i) > endOf(j))
  // depth[i]: the longest chain ending at request i; previous[i]: its predecessor on that chain.
  const depth: Array<number> = []
  const previous: Array<number> = []
  sorted.forEach((request, i) => {
    depth[i] = 1
    previous[i] = -1
    for (let j = 0; j < i; j++) {
      const follows = endOf(j) <= request.startedAt + TOLERANCE_MS
      const current = previous[i] as number
      if (
        follows &&
        (current < 0 || longerOrLater(j, depth[j] as number, current, depth[current] as number))
      ) {
        depth[i] = (depth[j] as number) + 1
        previous[i] = j
      }
    }
  })
  let last = -1
  depth.forEach((d, i) => {
    if (last < 0 || longerOrLater(i, d, last, depth[last] as number)) last = i
  })
  const chain: Array<LoggedRequest> = []
  while (last >= 0) {
    chain.unshift(sorted[last] as LoggedRequest)
    last = previous[last] as number
  }
  const serverMs = chain.reduce((sum, request) => sum + Math.max(0, request.durationMs - latencyMs), 0)
  // The client's last write of the same request at or before the emulator started on it.
  const queuedMs = chain.reduce((sum, request) => {
    const sent = (run.sends ?? [])
      .filter(
        (send) =>
          send.request === `${request.method} ${request.path}` &&
          send.atMs <= request.startedAt + TOLERANCE_MS,
      )
      .at(-1)
    return sum + (sent === undefined ? 0 : Math.max(0, request.startedAt - sent.atMs))
  }, 0)
  const ends = [startedAtMs, ...chain.map((request) => request.startedAt + request.durationMs)]
  const starts = [...chain.map((request) => request.startedAt), startedAtMs + wallMs]
  const gapsMs = starts.map((start, i) => Math.max(0, start - (ends[i] as number)))
  return {
    hops: chain.length,
    gapsMs,
    chain: chain.map((request) => `${request.method} ${request.host} ${request.path.split("?")[0]}`),
    serverMs,
    queuedMs,
    clientMs: Math.max(0, wallMs - chain.length * latencyMs - serverMs - queuedMs),
  }
}
