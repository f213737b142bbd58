/**
 * A workaround for a hang in core's `transportFetch` (reported to the lead): to detect HTML it reads
 * the start of `response.clone().body` and awaits `reader.cancel()` on that clone. A clone is one
 * branch of a stream tee, and cancelling one branch settles only once the other branch is cancelled
 * or fully read — which happens after `transportFetch` has returned. A 2xx JSON body larger than the
 * sniffed bytes (any created record) therefore never resolves.
 *
 * Here every response body is read into memory first (bounded by a page: the client parses whole
 * bodies anyway) and `clone()` makes an independent copy from those bytes, so the clone's cancel
 * settles at once. Remove once core no longer awaits the clone's cancel.
 */
import type { Fetch } from "@sn365/core"

// Statuses whose responses must not have a body (Fetch standard, "null body status").
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

// A response over `bytes` whose clones are independent responses over the same bytes.
const bufferedResponse = (bytes: Uint8Array<ArrayBuffer>, init: ResponseInit): Response => {
  const response = new Response(bytes, init)
  Object.defineProperty(response, "clone", { value: () => bufferedResponse(bytes, init) })
  return response
}

/** Wraps a fetch so that responses are buffered and clone independently. */
export const bufferedFetch =
  (next: Fetch): Fetch =>
  async (request) => {
    const response = await next(request)
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return response
    const bytes = new Uint8Array(await response.arrayBuffer())
    return bufferedResponse(bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    })
  }
