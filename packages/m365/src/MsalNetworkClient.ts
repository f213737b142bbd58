/**
 * msal-node's `system.networkClient` (its `INetworkModule`) over core's injectable fetch, so token
 * requests take the same road as every Graph call: `transportFetch` (HTTPS except loopback, no
 * credentialed cross-origin redirects, HTML detection), the user's fetch (a proxy, a recorder,
 * `routingFetch` to the emulator), core's timeout, and core's retry of throttling and transient
 * failures with `Retry-After`.
 *
 * Retrying here rather than around msal matters: msal keeps a local throttle cache after a 429 or
 * 5xx (entra-graph-msal.md §5.8) and would refuse identical requests locally for up to a minute.
 * msal only sees the final answer; its error body is handed over parsed, as msal requires.
 *
 * @module
 */

import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node"
import {
  callWithResponse,
  defaultFetch,
  type Fetch,
  type HttpError,
  isHttpError,
  type RetryEvent,
  RetryObserver,
  type Secret,
  toPromise,
  transportFetch,
  withRetry,
} from "@sn365/core"
import { type Duration, Effect } from "effect"

/** Options of {@link msalNetworkClient}. */
export interface MsalNetworkClientOptions {
  /** Per request, covering the answer's body. Default 30 s. */
  readonly timeout?: Duration.Input | undefined
}

/** What one msal operation (one correlation id) shares with the network client. @internal */
export interface TrackedCall {
  /** Where retries are reported. */
  readonly observer: (event: RetryEvent) => Effect.Effect<void>
  /** Aborts the current request when the caller is interrupted. */
  readonly signal: AbortSignal | undefined
  /** Secrets the requests carry besides the form fields core finds by name. */
  readonly secrets: ReadonlyArray<Secret>
}

/** What the network client learned about one msal operation. @internal */
export interface CallRecord {
  /** The last HTTP failure, as core's typed error (already redacted). */
  readonly lastError: () => HttpError | undefined
  /** How many requests reached the transport. */
  readonly requests: () => number
  /** Forgets the call. */
  readonly end: () => void
}

/** A network client plus the registry that ties msal's requests to the operation that caused them. @internal */
export interface TrackedNetworkClient {
  readonly network: INetworkModule
  /** Registers an operation by the `correlationId` given to msal. */
  readonly track: (correlationId: string, call: TrackedCall) => CallRecord
}

interface Entry extends TrackedCall {
  lastError: HttpError | undefined
  requests: number
}

const DEFAULT_TIMEOUT = "30 seconds"
const noObserver = () => Effect.void

const headersOf = (response: Response): Record<string, string> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  return headers
}

const parseJson = (text: string): unknown => {
  try {
    return text === "" ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

// A client-credentials request has no side effect, so it may be repeated after any transient
// failure; device-code and refresh-token redemptions are retried only when provably not processed.
const isRepeatable = (body: string | undefined): boolean =>
  new URLSearchParams(body ?? "").get("grant_type") === "client_credentials"

type Result =
  | { data: unknown; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response }

/** @internal */
export const makeTrackedNetworkClient = (
  fetch: Fetch = defaultFetch,
  options: MsalNetworkClientOptions = {},
): TrackedNetworkClient => {
  const transport = transportFetch(fetch)
  const calls = new Map<string, Entry>()

  const send = <T>(method: "GET" | "POST", url: string, request?: NetworkRequestOptions) => {
    const entry = request?.correlationId === undefined ? undefined : calls.get(request.correlationId)
    let last: NetworkResponse<T> | undefined
    const attempt = callWithResponse(
      async (signal): Promise<Result> => {
        last = undefined
        if (entry !== undefined) entry.requests++
        const response = await transport(
          new Request(url, {
            method,
            headers: request?.headers ?? {},
            body: request?.body ?? null,
            signal,
            redirect: "manual",
          }),
        )
        const text = await response.text()
        const body = parseJson(text)
        if (body !== undefined)
          last = { status: response.status, headers: headersOf(response), body: body as T }
        if (response.ok) {
          // core reports a 2xx that is not JSON as UnexpectedResponse("invalid-json").
          if (body === undefined) throw new SyntaxError("token endpoint answered without JSON")
          return { data: body, response }
        }
        return { error: body ?? text, response }
      },
      { timeout: options.timeout ?? DEFAULT_TIMEOUT, secrets: entry?.secrets ?? [] },
    )
    const program = attempt.pipe(
      withRetry(undefined, isRepeatable(request?.body) ? true : undefined),
      Effect.map(
        ({ data, response }): NetworkResponse<T> => ({
          status: response.status,
          headers: headersOf(response),
          body: data as T,
        }),
      ),
      Effect.catch((error) => {
        if (entry !== undefined) entry.lastError = error
        // msal reads `error`, `error_codes`… from the body of an error answer; give it the body.
        return last !== undefined && isHttpError(error) ? Effect.succeed(last) : Effect.fail(error)
      }),
      Effect.provideService(RetryObserver, entry?.observer ?? noObserver),
    )
    return toPromise(program, { signal: entry?.signal })
  }

  return {
    network: {
      sendGetRequestAsync: (url, request) => send("GET", url, request),
      sendPostRequestAsync: (url, request) => send("POST", url, request),
    },
    track: (correlationId, call) => {
      const entry: Entry = { ...call, lastError: undefined, requests: 0 }
      calls.set(correlationId, entry)
      return {
        lastError: () => entry.lastError,
        requests: () => entry.requests,
        end: () => {
          calls.delete(correlationId)
        },
      }
    },
  }
}

/**
 * An msal-node `INetworkModule` over a {@link Fetch}: give it to `system.networkClient` and every
 * request msal makes goes through core's `transportFetch` and your fetch, with core's timeout and
 * retries. `makeCredential` uses it already; use it directly for your own msal applications.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplication } from "@azure/msal-node"
 * const cca = new ConfidentialClientApplication({
 *   auth: { clientId, clientSecret, authority: `https://login.microsoftonline.com/${tenant}` },
 *   system: { networkClient: msalNetworkClient(routingFetch({ "login.microsoftonline.com": "http://127.0.0.1:4010" })) },
 * })
 * ```
 */
export const msalNetworkClient = (fetch?: Fetch, options?: MsalNetworkClientOptions): INetworkModule =>
  makeTrackedNetworkClient(fetch, options).network
