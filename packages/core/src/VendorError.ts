/**
 * Vendor error envelopes, parsed generically. The servicenow and m365 packages pass their own
 * {@link VendorErrorParser} to the bridge when they need more; the default here understands:
 *
 * - ServiceNow: `{"error":{"message","detail"},"status":"failure"}`
 * - Microsoft Graph: `{"error":{"code","message","details":[…],"innerError":{"request-id",…}}}`
 *   (and legacy AAD Graph `{"odata.error":{"code","message":{"value"}}}`)
 * - Microsoft identity platform: `{"error":"invalid_client","error_description":"AADSTS…","trace_id",…}`
 *
 * @module
 */

/** What a vendor said about a failure, as far as it could be read. */
export interface VendorError {
  /** A machine-readable code: Graph `error.code`, OAuth `error`. */
  readonly code?: string | undefined
  /** The human-readable summary. */
  readonly message?: string | undefined
  /** Anything else worth showing: ServiceNow `error.detail`, Graph `error.details`. */
  readonly detail?: string | undefined
  /** A request id found in the body (Graph `innerError["request-id"]`, identity `trace_id`). */
  readonly requestId?: string | undefined
}

/**
 * Reads a vendor error from an error response. `body` is the parsed JSON, or the text when the
 * body is not JSON, or `undefined` when it is empty. Return `undefined` when nothing was found.
 *
 * @example
 * ```ts
 * const parseMine: VendorErrorParser = (body, response) =>
 *   isMyEnvelope(body) ? { code: body.errorCode, message: body.text } : parseVendorError(body, response)
 * ```
 */
export type VendorErrorParser = (body: unknown, response: Response) => VendorError | undefined

type Json = Readonly<Record<string, unknown>>

const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const text = (u: unknown): string | undefined =>
  typeof u === "string" && u.trim() !== "" ? u.trim() : undefined

const compact = (v: VendorError): VendorError | undefined => {
  const entries = Object.entries(v).filter(([, value]) => value !== undefined)
  return entries.length === 0 ? undefined : Object.fromEntries(entries)
}

const graphDetails = (details: unknown): string | undefined => {
  if (!Array.isArray(details)) return undefined
  const parts = details.filter(isRecord).map((d) => {
    const target = text(d.target) === undefined ? "" : ` (${text(d.target)})`
    return [text(d.code), text(d.message)].filter((s) => s !== undefined).join(": ") + target
  })
  return text(parts.filter((p) => p !== "").join("; "))
}

const innerRequestId = (inner: unknown): string | undefined =>
  isRecord(inner) ? (text(inner["request-id"]) ?? text(inner["client-request-id"])) : undefined

// ServiceNow `{error:{message,detail}}` and Graph `{error:{code,message,details,innerError}}`.
const fromErrorObject = (error: Json): VendorError | undefined =>
  compact({
    code: text(error.code),
    message: text(error.message) ?? (isRecord(error.message) ? text(error.message.value) : undefined),
    detail: text(error.detail) ?? graphDetails(error.details),
    requestId: innerRequestId(error.innerError) ?? innerRequestId(error.innererror),
  })

// Identity platform: the first line of `error_description` is the message ("AADSTS7000215: …");
// the rest (trace id, correlation id, timestamp) is detail.
const fromOAuthError = (body: Json, code: string): VendorError | undefined => {
  const [first, ...rest] = (text(body.error_description) ?? "").split(/\r?\n/)
  return compact({
    code,
    message: text(first),
    detail: text(
      rest
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .join("; "),
    ),
    requestId: text(body.trace_id) ?? text(body.correlation_id),
  })
}

const HTML_TITLE = /<title[^>]*>([^<]*)<\/title>/i
const LOOKS_LIKE_HTML = /^\s*(<!doctype html|<html|<head|<body)/i
const MAX_TEXT_MESSAGE = 300

const fromText = (body: string): VendorError | undefined => {
  if (LOOKS_LIKE_HTML.test(body)) return compact({ message: text(HTML_TITLE.exec(body)?.[1]) })
  const message = text(body)
  return message === undefined ? undefined : { message: message.slice(0, MAX_TEXT_MESSAGE) }
}

/**
 * The default {@link VendorErrorParser}: ServiceNow, Graph (current and legacy) and identity-platform
 * envelopes, a top-level `message`/`code`, and plain-text bodies (an HTML page's title).
 *
 * @example
 * ```ts
 * parseVendorError({ error: { message: "User Not Authenticated", detail: "Required to provide Auth information" }, status: "failure" }, response)
 * // { message: "User Not Authenticated", detail: "Required to provide Auth information" }
 * ```
 */
export const parseVendorError: VendorErrorParser = (body) => {
  if (typeof body === "string") return fromText(body)
  if (!isRecord(body)) return undefined
  if (isRecord(body.error)) return fromErrorObject(body.error)
  if (isRecord(body["odata.error"])) return fromErrorObject(body["odata.error"])
  const oauthCode = text(body.error)
  if (oauthCode !== undefined) return fromOAuthError(body, oauthCode)
  return compact({ code: text(body.code), message: text(body.message) ?? text(body.error_message) })
}
