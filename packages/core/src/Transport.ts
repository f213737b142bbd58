/**
 * Transport safety and response vetting, as a {@link Fetch} wrapper every client puts around the
 * user's injectable fetch: `createClient({ baseUrl, fetch: transportFetch(userFetch) })`.
 *
 * It runs *outside* any `routingFetch`, so the HTTPS rule and the redirect rules see the real
 * vendor URLs while the emulator is still reached over plain loopback HTTP.
 *
 * @module
 */
import { defaultFetch, type Fetch } from "./Fetch.ts"
import { InsecureTransport, UnexpectedResponse, type UnexpectedResponseReason } from "./HttpError.ts"
import { requestIdFrom } from "./HttpErrorFromResponse.ts"
import { currentExchange, type Exchange, markVetted } from "./internal/exchange.ts"
import { networkError } from "./internal/networkError.ts"
import { redactText, redactUrl, secretsOfBody, secretsOfRequest } from "./Redact.ts"
import { DEFAULT_REQUEST_ID_HEADERS } from "./vendor.ts"

/** Options of {@link transportFetch}. */
export interface TransportOptions {
  /** Same-origin redirects followed for GET and HEAD before giving up. Default 5. */
  readonly maxRedirects?: number | undefined
  /** Response headers holding a request id, for the errors raised here. */
  readonly requestIdHeaders?: ReadonlyArray<string> | undefined
}

const DEFAULT_MAX_REDIRECTS = 5
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/**
 * Whether a host name is loopback: `localhost`, `127.0.0.0/8` or `::1` (with or without brackets).
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1") // true
 * isLoopbackHost("dev12345.service-now.com") // false
 * ```
 */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.toLowerCase()
  return h === "localhost" || h === "[::1]" || h === "::1" || IPV4_LOOPBACK.test(h)
}

/**
 * The transport rule: `https:` anywhere, `http:` only to a loopback host, nothing else.
 *
 * @example
 * ```ts
 * isAllowedUrl("http://127.0.0.1:4010/api") // true
 * isAllowedUrl("http://dev12345.service-now.com/api") // false
 * ```
 */
export const isAllowedUrl = (url: string | URL): boolean => {
  const u = typeof url === "string" ? new URL(url) : url
  return u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname))
}

// Enough to see past a BOM and whitespace to `<!DOCTYPE html`.
const SNIFF_BYTES = 256
const MAX_HTML_BYTES = 64 * 1024
const MAX_EXCERPT = 2048
const HTML_START = /^\uFEFF?\s*(<!doctype\s+html|<html[\s>])/i
const NOISE =
  /<head[\s>][\s\S]*?<\/head>|<script[\s>][\s\S]*?<\/script>|<style[\s>][\s\S]*?<\/style>|<!--[\s\S]*?-->/gi

const readUpTo = async (body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> => {
  if (body === null) return ""
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    // Not awaited: `body` is one branch of a clone (a tee), and cancelling a branch settles only
    // once the other branch — the caller's response, read after we return — is read or cancelled.
    reader.cancel().catch(() => undefined)
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes))
}

const excerptOf = (html: string, secrets: ReadonlyArray<string>): string =>
  redactText(html.replace(NOISE, " ").replace(/\s+/g, " ").trim().slice(0, MAX_EXCERPT), secrets)

const isSuccessWithBody = (request: Request, response: Response): boolean =>
  response.status >= 200 && response.status < 300 && response.status !== 204 && request.method !== "HEAD"

// HTML on a 2xx from a JSON API is never data: a hibernating instance, a login page, a proxy.
// Skipped when the caller asked for HTML.
const htmlReason = async (
  request: Request,
  response: Response,
): Promise<UnexpectedResponseReason | undefined> => {
  if (!isSuccessWithBody(request, response)) return undefined
  if ((request.headers.get("accept") ?? "").toLowerCase().includes("html")) return undefined
  const type = (response.headers.get("content-type") ?? "").toLowerCase()
  if (type.includes("html")) return "html-content-type"
  if (type !== "" && !type.includes("json")) return undefined
  const head = await readUpTo(response.clone().body, SNIFF_BYTES)
  return HTML_START.test(head) ? "html-body" : undefined
}

// Only bodies that can name their fields; reading a clone leaves the request's body intact.
const bodySecrets = async (request: Request): Promise<ReadonlyArray<string>> => {
  const type = request.headers.get("content-type")
  if (request.body === null || !/json|x-www-form-urlencoded/i.test(type ?? "")) return []
  return secretsOfBody(await request.clone().text(), type)
}

interface Hop {
  readonly exchange: Exchange
  readonly options: TransportOptions
  readonly original: URL
}

const unexpected = (
  hop: Hop,
  request: Request,
  reason: UnexpectedResponseReason,
  response: Response,
  extra: { readonly location?: string; readonly excerpt?: string } = {},
): UnexpectedResponse =>
  new UnexpectedResponse({
    method: request.method,
    url: redactUrl(hop.original, hop.exchange.secrets),
    requestId: requestIdFrom(
      response.headers,
      hop.exchange.requestIdHeaders ?? hop.options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS,
    ),
    reason,
    status: response.status,
    contentType: response.headers.get("content-type") ?? undefined,
    ...extra,
  })

const send = async (next: Fetch, request: Request, hop: Hop): Promise<Response> => {
  try {
    return await next(new Request(request, { redirect: "manual" }))
  } catch (cause) {
    // An abort is the caller's doing (interruption, timeout): let it through untouched.
    if (request.signal.aborted) throw cause
    throw networkError(cause, request.method, hop.original.href, hop.exchange.secrets)
  }
}

// Redirects are followed by hand so that credentials are never re-sent to another origin and a
// request body is never replayed: same origin and GET/HEAD only, up to a limit.
const nextHop = async (hop: Hop, request: Request, response: Response, count: number): Promise<Request> => {
  const location = response.headers.get("location") ?? ""
  const target = new URL(location, request.url)
  await response.body?.cancel()
  if (target.origin !== hop.original.origin) {
    throw unexpected(hop, request, "cross-origin-redirect", response, { location: target.host })
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw unexpected(hop, request, "unfollowed-redirect", response, { location: target.host })
  }
  if (count >= (hop.options.maxRedirects ?? DEFAULT_MAX_REDIRECTS)) {
    throw unexpected(hop, request, "too-many-redirects", response, { location: target.host })
  }
  return new Request(target, { method: request.method, headers: request.headers, signal: request.signal })
}

/**
 * Wraps a {@link Fetch} with the transport rules every sn365 client relies on:
 *
 * - `http:` to anything but loopback fails with `InsecureTransport` before a request is made;
 * - redirects are followed only to the same origin, for GET/HEAD, at most `maxRedirects` times;
 *   others fail with `UnexpectedResponse` naming the target host, credentials never re-sent;
 * - an HTML page on a 2xx (by `Content-Type`, or sniffed `<!DOCTYPE html`/`<html` in a body
 *   declared JSON) fails with `UnexpectedResponse` carrying a redacted excerpt;
 * - a connection failure fails with `NetworkError` (method, redacted URL, system error code);
 *   an abort passes through unchanged.
 *
 * The bridge (`call`) requires clients built on it.
 *
 * @example
 * ```ts
 * const api = createClient<paths>({ baseUrl, fetch: transportFetch(routingFetch(emulatorRoutes)) })
 * ```
 */
export const transportFetch =
  (next: Fetch = defaultFetch, options: TransportOptions = {}): Fetch =>
  async (first) => {
    const exchange = currentExchange()
    const original = new URL(first.url)
    exchange.url ??= original.href
    exchange.secrets.push(...secretsOfRequest(first), ...(await bodySecrets(first)))
    const hop: Hop = { exchange, options, original }
    let request = first
    for (let count = 0; ; count++) {
      exchange.method = request.method
      if (!isAllowedUrl(request.url)) {
        throw new InsecureTransport({ method: request.method, url: redactUrl(request.url, exchange.secrets) })
      }
      const response = await send(next, request, hop)
      exchange.status = response.status
      if (REDIRECT_STATUSES.has(response.status) && response.headers.has("location")) {
        request = await nextHop(hop, request, response, count)
        continue
      }
      const reason = await htmlReason(request, response)
      if (reason !== undefined) {
        const excerpt = excerptOf(await readUpTo(response.body, MAX_HTML_BYTES), exchange.secrets)
        throw unexpected(hop, request, reason, response, { excerpt })
      }
      markVetted(response, { method: request.method, url: original.href })
      return response
    }
  }
