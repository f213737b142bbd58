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
import { currentExchange, type Exchange, markVetted, secretsOf } from "./internal/exchange.ts"
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

// Enough to see past a BOM and whitespace to `<!DOCTYPE html`.
const SNIFF_BYTES = 256
const MAX_HTML_BYTES = 64 * 1024
const MAX_EXCERPT = 2048
const NOISE =
  /<head[\s>][\s\S]*?<\/head>|<script[\s>][\s\S]*?<\/script>|<style[\s>][\s\S]*?<\/style>|<!--[\s\S]*?-->/gi

/** The start of a body: at least `maxBytes` (or all of it), and the reader holding the rest. */
interface Head {
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly size: number
  /** The whole body was read. */
  readonly done: boolean
  readonly reader: ReadableStreamDefaultReader<Uint8Array>
}

const readHead = async (response: Response, maxBytes: number, from?: Head): Promise<Head> => {
  const reader = from?.reader ?? (response.body as ReadableStream<Uint8Array>).getReader()
  // With a Content-Length, a body that arrived whole needs no further read to say so — unless it
  // was encoded: fetch decodes it, and the header counts the encoded bytes.
  const length = response.headers.has("content-encoding")
    ? Number.NaN
    : Number(response.headers.get("content-length") ?? Number.NaN)
  const chunks = [...(from?.chunks ?? [])]
  let size = from?.size ?? 0
  while (size < maxBytes) {
    const { done, value } = await reader.read()
    if (done) return { chunks, size, done: true, reader }
    chunks.push(value)
    size += value.byteLength
    if (size === length) return { chunks, size, done: true, reader }
  }
  return { chunks, size, done: false, reader }
}

// The bytes read, without a copy when they came in one chunk (the usual case).
const bytesOf = ({ chunks }: Head): Buffer => {
  const [only, ...more] = chunks
  return only !== undefined && more.length === 0
    ? Buffer.from(only.buffer, only.byteOffset, only.byteLength)
    : Buffer.concat(chunks)
}

const textOf = (head: Head, maxBytes: number): string =>
  new TextDecoder().decode(bytesOf(head).subarray(0, maxBytes))

// `<!DOCTYPE html` or `<html` after a UTF-8 BOM and whitespace, read from the raw bytes (the tag is
// ASCII, so latin1 reads it as UTF-8 would) — no TextDecoder per response.
const HTML_START_BYTES = /^(?:\xEF\xBB\xBF)?\s*(<!doctype\s+html|<html[\s>])/i
const startsLikeHtml = (head: Head): boolean =>
  HTML_START_BYTES.test(bytesOf(head).toString("latin1", 0, Math.min(head.size, SNIFF_BYTES)))

// The response again, its body the sniffed bytes followed by the rest of the stream. Cheaper than
// sniffing a clone: no tee, and a body read in full (most JSON answers) is handed over as bytes.
const restored = (response: Response, head: Head): Response => {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers }
  if (head.done) return new Response(bytesOf(head), init)
  let pending = head.chunks
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (pending.length > 0) {
        for (const chunk of pending) controller.enqueue(chunk)
        pending = []
        return
      }
      const { done, value } = await head.reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: (reason) => head.reader.cancel(reason),
  })
  return new Response(body, init)
}

const excerptOf = (html: string, secrets: ReadonlyArray<Secret>): string =>
  redactText(html.replace(NOISE, " ").replace(/\s+/g, " ").trim().slice(0, MAX_EXCERPT), secrets)

const isSuccessWithBody = (request: Request, response: Response): boolean =>
  response.status >= 200 && response.status < 300 && response.status !== 204 && request.method !== "HEAD"

/** What vetting a final response found: the response to hand on, or why it is refused. */
type Vetted =
  | { readonly response: Response; readonly refused?: undefined }
  | { readonly refused: UnexpectedResponseReason; readonly html: string; readonly response: Response }

// HTML on a 2xx from a JSON API is never data: a hibernating instance, a login page, a proxy.
// Skipped when the caller asked for HTML.
const vet = async (request: Request, response: Response): Promise<Vetted> => {
  if (!isSuccessWithBody(request, response) || response.body === null) return { response }
  if ((request.headers.get("accept") ?? "").toLowerCase().includes("html")) return { response }
  const type = (response.headers.get("content-type") ?? "").toLowerCase()
  if (type.includes("html")) {
    const head = await readHead(response, MAX_HTML_BYTES)
    head.reader.cancel().catch(() => undefined)
    return { refused: "html-content-type", html: textOf(head, MAX_HTML_BYTES), response }
  }
  if (type !== "" && !type.includes("json")) return { response }
  const head = await readHead(response, SNIFF_BYTES)
  if (!startsLikeHtml(head)) return { response: restored(response, head) }
  const page = head.done ? head : await readHead(response, MAX_HTML_BYTES, head)
  page.reader.cancel().catch(() => undefined)
  return { refused: "html-body", html: textOf(page, MAX_HTML_BYTES), response }
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

const send = async (next: Fetch, request: Request, hop: Hop): Promise<Response> => {
  try {
    // Clients build their requests with `redirect: "manual"`; copying one costs a little.
    return await next(request.redirect === "manual" ? request : new Request(request, { redirect: "manual" }))
  } catch (cause) {
    // An abort is the caller's doing (interruption, timeout): let it through untouched.
    if (request.signal.aborted) throw cause
    throw networkError(cause, request.method, hop.original.href, secretsOf(hop.exchange))
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
    exchange.unscanned.push(first)
    exchange.scanned.push(...(await bodySecrets(first)))
    const hop: Hop = { exchange, options, original }
    let request = first
    for (let count = 0; ; count++) {
      exchange.method = request.method
      if (!isAllowedUrl(request.url)) {
        throw new InsecureTransport({
          method: request.method,
          url: redactUrl(request.url, secretsOf(exchange)),
        })
      }
      const response = await send(next, request, hop)
      exchange.status = response.status
      if (REDIRECT_STATUSES.has(response.status) && response.headers.has("location")) {
        request = await nextHop(hop, request, response, count)
        continue
      }
      const vetted = await vet(request, response)
      if (vetted.refused !== undefined) {
        throw unexpected(hop, request, vetted.refused, response, {
          excerpt: excerptOf(vetted.html, secretsOf(exchange)),
        })
      }
      markVetted(vetted.response, { method: request.method, url: original.href })
      return vetted.response
    }
  }
