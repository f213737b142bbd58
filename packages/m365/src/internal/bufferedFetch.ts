/**
 * WORKAROUND for a deadlock in @sn365/core's `transportFetch` (reported to the lead; remove once
 * core is fixed). To detect HTML, `transportFetch` reads the first bytes of `response.clone()` and
 * then awaits `reader.cancel()` on that clone. Cancelling one branch of a tee'd body resolves only
 * when the other branch is cancelled or the source is seen to close, so for an undici (or
 * byte-stream) body whose first chunk exceeds the 256 sniffed bytes the await never returns: every
 * 2xx JSON answer over 256 bytes hangs the request. `test/CoreTransport.test.ts` documents it.
 *
 * Handing `transportFetch` a body that is a plain stream, already complete and closed, lets the
 * tee see the end at once. JSON answers are read whole anyway, so buffering costs nothing here.
 */
import type { Fetch } from "@sn365/core"

// Statuses that must not carry a body (Fetch standard "null body status").
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

/** @internal */
export const bufferBodies =
  (next: Fetch): Fetch =>
  async (request) => {
    const response = await next(request)
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return response
    const bytes = new Uint8Array(await response.arrayBuffer())
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes)
        controller.close()
      },
    })
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
