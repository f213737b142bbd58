/**
 * Status → tagged error, with the vendor's code and message, the request id and the server's
 * delay. The bridge uses it for every error response; use it directly where a `Response` comes
 * from somewhere other than openapi-fetch (msal-node's network client).
 *
 * @module
 */
import {
  BadRequest,
  Conflict,
  Forbidden,
  type HttpError,
  NotFound,
  ServerError,
  Throttled,
  Unauthorized,
  UnexpectedResponse,
} from "./HttpError.ts"
import { redactText, redactUrl, type Secret } from "./Redact.ts"
import { rateLimitResetMs, retryAfterMs } from "./RetryAfter.ts"
import { parseVendorError, type VendorErrorParser } from "./VendorError.ts"
import { DEFAULT_REQUEST_ID_HEADERS } from "./vendor.ts"

/** Everything {@link httpErrorFromResponse} needs. */
export interface ErrorResponseInput {
  readonly method: string
  /** The request URL; redacted here. */
  readonly url: string | URL
  readonly response: Response
  /** The parsed JSON body, the text when not JSON, `undefined` when empty. */
  readonly body: unknown
  /** Defaults to {@link parseVendorError}. */
  readonly parseVendorError?: VendorErrorParser | undefined
  /** Defaults to {@link DEFAULT_REQUEST_ID_HEADERS}. */
  readonly requestIdHeaders?: ReadonlyArray<string> | undefined
  /** Clear texts or `Redacted` values to scrub from everything taken from the response. */
  readonly secrets?: ReadonlyArray<Secret> | undefined
  /** The current time, for `Retry-After` HTTP dates. */
  readonly nowMs: number
}

const MAX_VENDOR_MESSAGE = 500
const MAX_VENDOR_DETAIL = 1000

const clip = (s: string | undefined, max: number, secrets: ReadonlyArray<Secret>): string | undefined =>
  s === undefined ? undefined : redactText(s.length > max ? `${s.slice(0, max)}…` : s, secrets)

/** The first request-id header present, in the order given. */
export const requestIdFrom = (headers: Headers, names: ReadonlyArray<string>): string | undefined => {
  for (const name of names) {
    const value = headers.get(name)?.trim()
    if (value !== undefined && value !== "") return value
  }
  return undefined
}

const safeParse = (parse: VendorErrorParser, body: unknown, response: Response) => {
  try {
    return parse(body, response)
  } catch {
    // A broken vendor parser must not hide the HTTP error itself.
    return undefined
  }
}

/**
 * The {@link HttpError} for an error response: 400 and unnamed 4xx → `BadRequest`, 401
 * `Unauthorized`, 403 `Forbidden`, 404 `NotFound`, 409 `Conflict`, 429 `Throttled`, 5xx
 * `ServerError`, anything else `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * const error = httpErrorFromResponse({ method: "POST", url, response, body: await response.json(), nowMs: Date.now() })
 * ```
 */
export const httpErrorFromResponse = (input: ErrorResponseInput): HttpError => {
  const { response } = input
  const secrets = input.secrets ?? []
  const status = response.status
  const vendor = safeParse(input.parseVendorError ?? parseVendorError, input.body, response)
  const headerId = requestIdFrom(response.headers, input.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS)
  const fields = {
    method: input.method.toUpperCase(),
    url: redactUrl(input.url, secrets),
    status,
    requestId: clip(headerId ?? vendor?.requestId, MAX_VENDOR_MESSAGE, secrets),
    vendorCode: clip(vendor?.code, MAX_VENDOR_MESSAGE, secrets),
    vendorMessage: clip(vendor?.message, MAX_VENDOR_MESSAGE, secrets),
    vendorDetail: clip(vendor?.detail, MAX_VENDOR_DETAIL, secrets),
  }
  const delay = retryAfterMs(response.headers, input.nowMs)
  switch (status) {
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404:
      return new NotFound(fields)
    case 409:
      return new Conflict(fields)
    case 429:
      return new Throttled({
        ...fields,
        retryAfterMs: delay ?? rateLimitResetMs(response.headers, input.nowMs),
      })
  }
  if (status >= 500 && status <= 599) return new ServerError({ ...fields, retryAfterMs: delay })
  if (status >= 400 && status <= 499) return new BadRequest(fields)
  return new UnexpectedResponse({
    method: fields.method,
    url: fields.url,
    requestId: fields.requestId,
    reason: "unexpected-status",
    status,
    contentType: response.headers.get("content-type") ?? undefined,
  })
}
