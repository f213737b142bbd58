/**
 * Error bodies of the identity platform: `{error, error_description, error_codes, timestamp,
 * trace_id, correlation_id, error_uri}`, the description prefixed with `AADSTSnnnnn:` and followed
 * by the trace, correlation and timestamp lines (entra-graph-msal.md §4.5).
 *
 * @module
 */
import { type EmulatorResponse, json } from "../server/http.ts"
import type { Random } from "../server/random.ts"
import { type AadstsError, LOGIN_HOST } from "./vendor.ts"

/** `YYYY-MM-DD HH:MM:SSZ`, the identity platform's timestamp format. */
export const stsTimestamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z")

/** Headers every token-service response carries. */
export const stsHeaders = (
  requestId: string,
  clientRequestId: string | undefined,
): Record<string, string> => ({
  "cache-control": "no-store, no-cache",
  pragma: "no-cache",
  "x-ms-request-id": requestId,
  ...(clientRequestId === undefined ? {} : { "client-request-id": clientRequestId }),
})

/** Context of one token-service request, for ids in the error body. */
export interface StsContext {
  readonly random: Random
  readonly now: number
  readonly requestId: string
  readonly clientRequestId: string | undefined
}

/** An AADSTS error response. */
export const aadstsError = (context: StsContext, kind: AadstsError, text: string): EmulatorResponse => {
  const timestamp = stsTimestamp(context.now)
  const correlationId = context.clientRequestId ?? context.random.guid()
  const prefix = kind.code === undefined ? "" : `AADSTS${kind.code}: `
  return json(
    kind.status,
    {
      error: kind.error,
      error_description: `${prefix}${text}\r\nTrace ID: ${context.requestId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: kind.code === undefined ? [] : [kind.code],
      timestamp,
      trace_id: context.requestId,
      correlation_id: correlationId,
      ...(kind.code === undefined ? {} : { error_uri: `https://${LOGIN_HOST}/error?code=${kind.code}` }),
    },
    stsHeaders(context.requestId, context.clientRequestId),
  )
}
