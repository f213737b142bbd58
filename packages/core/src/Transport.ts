/**
 * Transport safety and response vetting, as a {@link Fetch} wrapper every client puts around the
 * user's injectable fetch: `createClient({ baseUrl, fetch: transportFetch(userFetch) })`.
 *
 * It runs *outside* any `routingFetch`, so the HTTPS rule and the redirect rules see the real
 * vendor URLs while the emulator is still reached over plain loopback HTTP.
 *
 * @module
 */
import { defaultFetch, type Fetch, sendHolding } from "./Fetch.ts"
import { InsecureTransport, UnexpectedResponse, type UnexpectedResponseReason } from "./HttpError.ts"
import { requestIdFrom } from "./HttpErrorFromResponse.ts"
import {
  currentExchange,
  type Exchange,
  markVetted,
  type ResponseInfo,
  responseInfo,
  secretsOf,
} from "./internal/exchange.ts"
import { networkError } from "./internal/networkError.ts"
import { redactText, redactUrl, type Secret, secretsOfBody } from "./Redact.ts"
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

const MAX_HTML_BYTES = 64 * 1024
const MAX_EXCERPT = 2048
// Enough to see past whitespace to `<!DOCTYPE html`.
const SNIFF_CHARS = 256
const NOISE =
  /<head[\s>][\s\S]*?<\/head>|<script[\s>][\s\S]*?<\/script>|<style[\s>][\s\S]*?<\/style>|<!--[\s\S]*?-->/gi

/** Up to `maxBytes` of a body's text (an HTML page's start), the rest cancelled. */
const readHead = async (response: Response, maxBytes: number): Promise<string> => {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  while (size < maxBytes) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  reader.cancel().catch(() => undefined)
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes))
}

// `<!DOCTYPE html` or `<html` after whitespace (`text()` has already dropped a UTF-8 BOM).
const HTML_START = /^\uFEFF?\s*(<!doctype\s+html|<html[\s>])/i
const startsLikeHtml = (text: string): boolean => HTML_START.test(text.slice(0, SNIFF_CHARS))

// The platform's own body readers, under the checking ones a vetted response gets.
const platformText = (response: Response): Promise<string> =>
  Object.getPrototypeOf(response).text.call(response)

// The body's text, unless it is an HTML page that `refuse` turns into the error to throw.
const refusingHtml = (text: string, refuse: ResponseInfo["refuseHtml"]): string => {
  if (refuse !== undefined && startsLikeHtml(text)) throw refuse(text)
  return text
}

/**
 * `text()` and `json()` of a response whose body must not be an HTML page (`this` is the response;
 * shared by every response, so no closures per request). The check runs when the body is read, not when the
 * response arrives: reading it then would mean handing on a rebuilt `Response`, which costs more per
 * request than the rest of the transport together (bench figure 5). HTML never parses as JSON, so
 * `json()` looks at the text only when the parse fails.
 */
async function htmlCheckedText(this: Response): Promise<string> {
  return refusingHtml(await platformText(this), responseInfo(this)?.refuseHtml)
}

async function htmlCheckedJson(this: Response): Promise<unknown> {
  const body = await platformText(this)
  try {
    return JSON.parse(body)
  } catch (cause) {
    refusingHtml(body, responseInfo(this)?.refuseHtml)
    throw cause
  }
}

// Whether a response can be marked and given the checking readers: a platform `Response` can; a
// frozen one, or a response-like object with readers of its own, cannot.
const takesReaders = (response: Response): boolean =>
  Object.isExtensible(response) &&
  !Object.hasOwn(response, "text") &&
  !Object.hasOwn(response, "json") &&
  typeof Object.getPrototypeOf(response)?.text === "function"

// For the rare response that cannot take the readers: the body is checked now (when it must be),
// and a new, marked `Response` is handed on.
const rebuilt = async (response: Response, info: ResponseInfo): Promise<Response> => {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers }
  const body =
    info.refuseHtml === undefined ? response.body : refusingHtml(await response.text(), info.refuseHtml)
  const copy = new Response(body, init)
  markVetted(copy, info)
  return copy
}

const excerptOf = (html: string, secrets: ReadonlyArray<Secret>): string =>
  redactText(html.replace(NOISE, " ").replace(/\s+/g, " ").trim().slice(0, MAX_EXCERPT), secrets)

const isSuccessWithBody = (request: Request, response: Response): boolean =>
  response.status >= 200 && response.status < 300 && response.status !== 204 && request.method !== "HEAD"

/** What vetting decided about a final response. */
type Verdict = "pass" | "check-on-read" | "html-page"

// HTML on a 2xx from a JSON API is never data: a hibernating instance, a login page, a proxy.
// Skipped when the caller asked for HTML.
const vet = (request: Request, response: Response): Verdict => {
  if (!isSuccessWithBody(request, response) || response.body === null) return "pass"
  if ((request.headers.get("accept") ?? "").toLowerCase().includes("html")) return "pass"
  const type = (response.headers.get("content-type") ?? "").toLowerCase()
  if (type.includes("html")) return "html-page"
  return type === "" || type.includes("json") ? "check-on-read" : "pass"
}

const refusePage = async (hop: Hop, request: Request, response: Response): Promise<never> => {
  throw htmlRefusal(hop, request, "html-content-type", response, await readHead(response, MAX_HTML_BYTES))
}

const htmlRefusal = (
  hop: Hop,
  request: Request,
  reason: UnexpectedResponseReason,
  response: Response,
  html: string,
): UnexpectedResponse =>
  unexpected(hop, request, reason, response, {
    excerpt: excerptOf(html.slice(0, MAX_HTML_BYTES), secretsOf(hop.exchange)),
  })

// The secrets of a request body: only bodies that can name their fields; reading a clone leaves the
// request's body intact.
const bodySecrets = async (request: Request): Promise<ReadonlyArray<string>> => {
  const type = request.headers.get("content-type")
  if (!/json|x-www-form-urlencoded/i.test(type ?? "")) return []
  return secretsOfBody(await request.clone().text(), type)
}

interface Hop {
  readonly exchange: Exchange
  readonly options: TransportOptions
  /** The URL the client addressed (before redirects and routing), as `Request.url` serialises it. */
  readonly original: string
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
    url: redactUrl(hop.original, secretsOf(hop.exchange)),
    requestId: requestIdFrom(
      response.headers,
      hop.exchange.requestIdHeaders ?? hop.options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS,
    ),
    reason,
    status: response.status,
    contentType: response.headers.get("content-type") ?? undefined,
    ...extra,
  })

// What a fetch that threw becomes: an abort is the caller's doing (interruption, timeout) and
// passes through untouched; anything else is a NetworkError.
const sendFailure = (cause: unknown, request: Request, hop: Hop): unknown =>
  request.signal.aborted ? cause : networkError(cause, request.method, hop.original, secretsOf(hop.exchange))

// Redirects are followed by hand so that credentials are never re-sent to another origin and a
// request body is never replayed: same origin and GET/HEAD only, up to a limit.
const nextHop = async (hop: Hop, request: Request, response: Response, count: number): Promise<Request> => {
  const location = response.headers.get("location") ?? ""
  const target = new URL(location, request.url)
  await response.body?.cancel()
  if (target.origin !== new URL(hop.original).origin) {
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
 * - an HTML page on a 2xx fails with `UnexpectedResponse` carrying a redacted excerpt: at once when
 *   its `Content-Type` says HTML; when the body is read with `json()` or `text()` (that read
 *   rejects) when it is declared JSON, or undeclared, and starts with `<!DOCTYPE html`/`<html`;
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
    const original = first.url
    exchange.url ??= original
    exchange.unscanned.push(first)
    if (first.body !== null) exchange.scanned.push(...(await bodySecrets(first)))
    const hop: Hop = { exchange, options, original }
    let request = first
    for (let count = 0; ; count++) {
      exchange.method = request.method
      // A `Request`'s URL is parsed and serialised already (its scheme in lower case): the common
      // case needs no second parse.
      if (!request.url.startsWith("https://") && !isAllowedUrl(request.url)) {
        throw new InsecureTransport({
          method: request.method,
          url: redactUrl(request.url, secretsOf(exchange)),
        })
      }
      let response: Response
      try {
        // Clients build their requests with `redirect: "manual"`; copying one costs a little.
        response = await (request.redirect === "manual"
          ? next(request)
          : sendHolding(next, new Request(request, { redirect: "manual" })))
      } catch (cause) {
        throw sendFailure(cause, request, hop)
      }
      exchange.status = response.status
      if (REDIRECT_STATUSES.has(response.status) && response.headers.has("location")) {
        request = await nextHop(hop, request, response, count)
        continue
      }
      const verdict = vet(request, response)
      if (verdict === "html-page") return refusePage(hop, request, response)
      const info: ResponseInfo = {
        method: request.method,
        url: original,
        refuseHtml:
          verdict === "check-on-read"
            ? (html) => htmlRefusal(hop, request, "html-body", response, html)
            : undefined,
      }
      if (!takesReaders(response)) return rebuilt(response, info)
      markVetted(response, info)
      if (info.refuseHtml !== undefined) {
        // Plain assignments, in one order: every response takes the same (cached) shape transition.
        const readers = response as { text: typeof htmlCheckedText; json: typeof htmlCheckedJson }
        readers.text = htmlCheckedText
        readers.json = htmlCheckedJson
      }
      return response
    }
  }
