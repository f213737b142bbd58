/**
 * ServiceNow's response envelopes (servicenow-api.md §1.4): `{"result": …}` on success and
 * `{"error":{"message","detail"},"status":"failure"}` on failure.
 *
 * @module
 */
import { type EmulatorResponse, json } from "../server/http.ts"
import type { ErrorText } from "./vendor.ts"

/** An error response in the Table/Batch API envelope. */
export const failure = (
  status: number,
  error: ErrorText,
  headers: Record<string, string> = {},
): EmulatorResponse =>
  json(status, { error: { message: error.message, detail: error.detail }, status: "failure" }, headers)

/** A success response `{"result": …}`. */
export const result = (
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): EmulatorResponse => json(status, { result: value }, headers)
