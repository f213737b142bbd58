/**
 * The Batch API, `POST /api/now/v1/batch` (servicenow-api.md §4.1, [SN-BATCH]): items run
 * sequentially through the same dispatcher as ordinary requests, with the batch's credentials;
 * bodies in and out are Base64; items that would start after the 30 s batch quota are returned in
 * `unserviced_requests`.
 *
 * @module
 */
import { STATUS_CODES } from "node:http"
import type { EmulatorRequest, EmulatorResponse } from "../server/http.ts"
import { json } from "../server/http.ts"
import type { Instance } from "./Instance.ts"
import { BATCH_QUOTA_MS } from "./vendor.ts"

interface BatchItem {
  readonly id: string
  readonly method: string
  readonly url: string
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string }>
  readonly body?: string
  readonly exclude_response_headers?: boolean
}

/** A validated batch request body. */
export interface BatchBody {
  readonly batch_request_id?: string
  readonly rest_requests: ReadonlyArray<BatchItem>
}

/** Runs one item as a request; supplied by the instance dispatcher. */
export type Dispatch = (request: EmulatorRequest) => EmulatorResponse

const errorMessage = (response: EmulatorResponse): string | undefined => {
  if (response.status < 400) return undefined
  try {
    const parsed = JSON.parse(String(response.body ?? "")) as { error?: { message?: unknown } | string }
    if (typeof parsed.error === "string") return parsed.error
    if (typeof parsed.error?.message === "string") return parsed.error.message
  } catch {
    // not JSON
  }
  return STATUS_CODES[response.status]
}

/** Handles a validated batch. `outer` supplies the host and the credentials of every item. */
export const handleBatch = (
  instance: Instance,
  outer: EmulatorRequest,
  body: BatchBody,
  dispatch: Dispatch,
): EmulatorResponse => {
  const served: Array<Record<string, unknown>> = []
  const unserviced: Array<string> = []
  const itemCost = instance.quota.msPerBatchItem ?? 0
  let used = 0
  for (const item of body.rest_requests) {
    if (used + itemCost > BATCH_QUOTA_MS) {
      unserviced.push(item.id)
      continue
    }
    const started = performance.now()
    const headers: Record<string, string> = {}
    for (const { name, value } of item.headers ?? []) headers[name.toLowerCase()] = value
    if (outer.headers.authorization !== undefined) headers.authorization = outer.headers.authorization
    const response = dispatch({
      method: item.method.toUpperCase(),
      host: outer.host,
      url: new URL(item.url, `https://${outer.host}`),
      headers,
      body: item.body === undefined ? Buffer.alloc(0) : Buffer.from(item.body, "base64"),
    })
    const elapsed = Math.round(performance.now() - started)
    used += itemCost + elapsed
    const responseBody = response.body === undefined ? "" : Buffer.from(response.body)
    const message = errorMessage(response)
    served.push({
      id: item.id,
      status_code: response.status,
      status_text: STATUS_CODES[response.status] ?? "",
      ...(responseBody.length > 0 ? { body: responseBody.toString("base64") } : {}),
      ...(item.exclude_response_headers === true
        ? {}
        : { headers: Object.entries(response.headers ?? {}).map(([name, value]) => ({ name, value })) }),
      execution_time: elapsed,
      ...(message === undefined ? {} : { error_message: message }),
    })
  }
  return json(200, {
    ...(body.batch_request_id === undefined ? {} : { batch_request_id: body.batch_request_id }),
    serviced_requests: served,
    unserviced_requests: unserviced,
  })
}
