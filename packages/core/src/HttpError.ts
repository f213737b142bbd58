/**
 * The HTTP error family every sn365 client fails with: one `Schema.TaggedError` class per thing a
 * caller reacts to differently. Each carries the request's `method` and redacted `url`, the
 * response `status` and the vendor's own code and message where there is a response, the request
 * id support asks for, and a `remedy` slot that the vendor packages fill.
 *
 * No error holds a header, a body, a cause object or an unredacted URL, so nothing secret can
 * reach `message`, `toString()`, `toJSON()`, `JSON.stringify` or `util.inspect`.
 *
 * @module
 */
import { STATUS_CODES } from "node:http"
import { Predicate, Schema } from "effect"

const RequestFields = {
  /** The HTTP method, upper case. */
  method: Schema.String,
  /** The request URL, redacted (see `redactUrl`). */
  url: Schema.String,
  /** The vendor's request or transaction id, from response headers or the error body. */
  requestId: Schema.optional(Schema.String),
  /** What a person should do about it; filled by the vendor packages (`withRemedy`). */
  remedy: Schema.optional(Schema.String),
}

const ResponseFields = {
  ...RequestFields,
  /** The HTTP status code. */
  status: Schema.Number,
  /** The vendor's error code (Graph `error.code`, OAuth `error`). */
  vendorCode: Schema.optional(Schema.String),
  /** The vendor's error message (ServiceNow and Graph `error.message`, OAuth `error_description`). */
  vendorMessage: Schema.optional(Schema.String),
  /** More from the vendor (ServiceNow `error.detail`, Graph `error.details`). */
  vendorDetail: Schema.optional(Schema.String),
}

const ThrottleFields = {
  ...ResponseFields,
  /** The delay the server asked for (`Retry-After`, `retry-after-ms`, `x-ms-retry-after-ms`), in ms. */
  retryAfterMs: Schema.optional(Schema.Number),
}

interface Describable {
  readonly method: string
  readonly url: string
  readonly requestId?: string | undefined
  readonly remedy?: string | undefined
}

interface VendorDescribable extends Describable {
  readonly status: number
  readonly vendorCode?: string | undefined
  readonly vendorMessage?: string | undefined
  readonly vendorDetail?: string | undefined
}

const describe = (e: Describable, what: string): string => {
  const id = e.requestId === undefined ? "" : ` [request id ${e.requestId}]`
  const remedy = e.remedy === undefined ? "" : ` — ${e.remedy}`
  return `${e.method} ${e.url} → ${what}${id}${remedy}`
}

const describeResponse = (e: VendorDescribable, label: string): string => {
  const vendor = [
    e.vendorMessage,
    e.vendorDetail === undefined ? undefined : `(${e.vendorDetail})`,
    e.vendorCode === undefined ? undefined : `[${e.vendorCode}]`,
  ]
    .filter(Predicate.isNotUndefined)
    .join(" ")
  return describe(e, `${e.status} ${label}${vendor === "" ? "" : `: ${vendor}`}`)
}

const retryAfterText = (ms: number | undefined): string =>
  ms === undefined ? "" : `, server asks to wait ${ms} ms`

/**
 * 400, and any other 4xx without a class of its own (405, 406, 408, 410, 415, 422…).
 *
 * @example
 * ```ts
 * Effect.catchTag("BadRequest", (e) => Effect.logWarning(e.vendorMessage))
 * ```
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", ResponseFields) {
  override get message(): string {
    // The status's own reason phrase: a 421 or a 422 is not a "Bad Request".
    return describeResponse(this, STATUS_CODES[this.status] ?? "Bad Request")
  }
}

/** 401: the credentials are missing, wrong or expired. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", ResponseFields) {
  override get message(): string {
    return describeResponse(this, "Unauthorized")
  }
}

/** 403: authenticated, but not allowed (a role, an ACL, a scope, a policy). */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", ResponseFields) {
  override get message(): string {
    return describeResponse(this, "Forbidden")
  }
}

/** 404: no such resource — or, on ServiceNow, an ACL hiding it. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", ResponseFields) {
  override get message(): string {
    return describeResponse(this, "Not Found")
  }
}

/** 409: the resource exists already or changed meanwhile. */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", ResponseFields) {
  override get message(): string {
    return describeResponse(this, "Conflict")
  }
}

/** 429: rate limited; `retryAfterMs` is the server's requested delay when it sent one. */
export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", ThrottleFields) {
  override get message(): string {
    return describeResponse(this, `Too Many Requests${retryAfterText(this.retryAfterMs)}`)
  }
}

/** 5xx: the server failed; 503 may carry `retryAfterMs`. */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", ThrottleFields) {
  override get message(): string {
    return describeResponse(this, `Server Error${retryAfterText(this.retryAfterMs)}`)
  }
}

/** The per-request timeout elapsed; the request was aborted. */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  ...RequestFields,
  /** The timeout that elapsed, in ms. */
  timeoutMs: Schema.Number,
}) {
  override get message(): string {
    return describe(this, `no response within ${this.timeoutMs} ms (request aborted)`)
  }
}

/** The connection failed: reset, refused, DNS, TLS… `code` is the system error code. */
export class NetworkError extends Schema.TaggedError<NetworkError>()("NetworkError", {
  ...RequestFields,
  /** The system error code: `ECONNRESET`, `ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`… */
  code: Schema.optional(Schema.String),
  /** The platform's description of the failure, redacted. */
  detail: Schema.optional(Schema.String),
}) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    return describe(this, `network error ${this.code ?? "without a code"}${detail}`)
  }
}

// System codes of a connection that broke after it was open: the request may have been sent whole.
const BROKEN_CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
])

/**
 * Whether a {@link NetworkError} is a connection that broke rather than one that never opened: the
 * server may have processed the request, so a write that is not idempotent may have happened.
 *
 * @example
 * ```ts
 * if (e._tag === "NetworkError" && mayHaveBeenProcessed(e)) console.error("check before creating it again")
 * ```
 */
export const mayHaveBeenProcessed = (e: NetworkError): boolean =>
  e.code !== undefined && BROKEN_CONNECTION_CODES.has(e.code)

/**
 * The remedy every client gives a {@link NetworkError} for which {@link mayHaveBeenProcessed}
 * holds: `where` names the server (a host or an origin).
 *
 * @example
 * ```ts
 * withRemedy(e, mayHaveBeenProcessed(e) ? brokenConnectionRemedy("graph.microsoft.com") : "Could not reach …")
 * ```
 */
export const brokenConnectionRemedy = (where: string): string =>
  `The connection to ${where} broke before its answer: the request may have been processed. Reads and idempotent writes are retried; look before repeating a create.`

/** Why a response was not what a JSON API returns. */
export const UnexpectedResponseReason = Schema.Literals([
  "html-content-type",
  "html-body",
  "invalid-json",
  "cross-origin-redirect",
  "unfollowed-redirect",
  "too-many-redirects",
  "cross-origin-next-link",
  "invalid-next-link",
  "repeated-next-link",
  "unexpected-status",
  "unexpected-body",
])

/** {@link UnexpectedResponseReason} as a type. */
export type UnexpectedResponseReason = typeof UnexpectedResponseReason.Type

const REASON_TEXT: Record<UnexpectedResponseReason, string> = {
  "html-content-type": "an HTML page where JSON was expected",
  "html-body": "an HTML page (declared as JSON) where JSON was expected",
  "invalid-json": "a body that is not valid JSON",
  "cross-origin-redirect": "a redirect to another origin, not followed",
  "unfollowed-redirect": "a redirect that is only followed for GET",
  "too-many-redirects": "too many redirects",
  "cross-origin-next-link": "a next-page link to another origin, not followed",
  "invalid-next-link": "a next-page link that is not a URL",
  "repeated-next-link": "a next link to a page already read (the pagination would never end)",
  "unexpected-status": "an unexpected status",
  "unexpected-body": "a body without the shape the API documents",
}

/**
 * The response is not what a JSON API returns: HTML instead of JSON (a hibernating ServiceNow
 * instance, a login page, a proxy), invalid JSON, or a redirect core refuses to follow.
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  ...RequestFields,
  reason: UnexpectedResponseReason,
  status: Schema.optional(Schema.Number),
  /** The response's `Content-Type`. */
  contentType: Schema.optional(Schema.String),
  /** The host a refused redirect or next link pointed to (never its path or query). */
  location: Schema.optional(Schema.String),
  /** Up to 2 KB of the redacted HTML, without head, scripts and styles, for vendor detection. */
  excerpt: Schema.optional(Schema.String),
  /** For `unexpected-body`: what is wrong with the body, in the client's words (never its content). */
  problem: Schema.optional(Schema.String),
}) {
  override get message(): string {
    const status = this.status === undefined ? "" : `${this.status}: `
    const type = this.contentType === undefined ? "" : ` (${this.contentType})`
    const location = this.location === undefined ? "" : ` to ${this.location}`
    const problem = this.problem === undefined ? "" : ` — ${this.problem}`
    return describe(this, `${status}${REASON_TEXT[this.reason]}${problem}${location}${type}`)
  }
}

/** A plain `http:` URL to a host that is not loopback; refused before anything was sent. */
export class InsecureTransport extends Schema.TaggedError<InsecureTransport>()(
  "InsecureTransport",
  RequestFields,
) {
  override get message(): string {
    return describe(this, "refused: only https is allowed, except to localhost, 127.0.0.0/8 and ::1")
  }
}

/** Every error the transport fails with. */
export type HttpError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | Throttled
  | ServerError
  | Timeout
  | NetworkError
  | UnexpectedResponse
  | InsecureTransport

const HTTP_ERROR_CLASSES = [
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  Throttled,
  ServerError,
  Timeout,
  NetworkError,
  UnexpectedResponse,
  InsecureTransport,
] as const

/** Whether a value is one of the {@link HttpError} classes. */
export const isHttpError = (u: unknown): u is HttpError => HTTP_ERROR_CLASSES.some((cls) => u instanceof cls)

// Codes that say "this will fail the same way again": an unknown host (a typo in the instance
// name is far likelier than a DNS blip, which is EAI_AGAIN) and certificate problems.
const isPermanentNetworkCode = (code: string): boolean =>
  code === "ENOTFOUND" || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)

/**
 * Whether retrying may help: throttling, 5xx except 501/505, 408, timeouts, and network errors
 * other than an unknown host or a certificate problem. Never 400, 401, 403, 404 or 409.
 *
 * @example
 * ```ts
 * isTransient(new Throttled({ method: "GET", url, status: 429 })) // true
 * isTransient(new NotFound({ method: "GET", url, status: 404 }))  // false
 * ```
 */
export const isTransient = (error: HttpError): boolean => {
  switch (error._tag) {
    case "Throttled":
    case "Timeout":
      return true
    case "ServerError":
      return error.status !== 501 && error.status !== 505
    case "BadRequest":
      return error.status === 408
    case "NetworkError":
      return error.code === undefined || !isPermanentNetworkCode(error.code)
    default:
      return false
  }
}

/**
 * A copy of the error, same class and tag, with `remedy` set. Vendor packages use it to say what
 * to do about a failure.
 *
 * @example
 * ```ts
 * effect.pipe(Effect.mapError((e) => e._tag === "Unauthorized" ? withRemedy(e, "Check SN_PASSWORD") : e))
 * ```
 */
export const withRemedy = <E extends HttpError>(error: E, remedy: string): E => {
  const Class = error.constructor as new (fields: object) => E
  return new Class({ ...error, remedy })
}
