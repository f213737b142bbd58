/**
 * The emulator's own request/response model: plain data, so each emulated system is a pure-ish
 * function of (state, request) and can be tested without sockets.
 *
 * @module
 */

/** Names of the systems the emulator serves; fault rules and the request log use them. */
export type SystemName = "servicenow" | "login" | "graph" | "admin"

/** A request as an emulated system sees it. */
export interface EmulatorRequest {
  readonly method: string
  /** Host the client addressed (from `X-Forwarded-Host` when routed), lower-case, without port. */
  readonly host: string
  /** The URL as the client addressed it, e.g. `https://dev1.service-now.com/api/now/table/sys_user?…`. */
  readonly url: URL
  /** Request headers with lower-case names; repeated headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** A response an emulated system produces. */
export interface EmulatorResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
}

/** A JSON response; `undefined` bodies are sent empty. */
export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json;charset=UTF-8", ...headers },
  body: body === undefined ? "" : JSON.stringify(body),
})

/** A `text/html` response (hibernation pages, login redirects). */
export const html = (
  status: number,
  body: string,
  headers: Record<string, string> = {},
): EmulatorResponse => ({
  status,
  headers: { "content-type": "text/html;charset=UTF-8", ...headers },
  body,
})

/** A body-less response such as 204 No Content. */
export const empty = (status: number, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers,
})

/** The request body parsed as JSON, or `undefined` when it is empty or not valid JSON. */
export const jsonBody = (request: EmulatorRequest): unknown => {
  if (request.body.length === 0) return undefined
  try {
    return JSON.parse(request.body.toString("utf8"))
  } catch {
    return undefined
  }
}

/** The request body parsed as `application/x-www-form-urlencoded`. */
export const formBody = (request: EmulatorRequest): URLSearchParams =>
  new URLSearchParams(request.body.toString("utf8"))
