/**
 * What the answers of the Table, Batch, app and token APIs must look like before anything reads
 * them (core's `validate` hook): a server or proxy answering `null`, a truncated page or a record
 * of numbers fails the call with `UnexpectedResponse` (`unexpected-body`) instead of crashing a
 * caller or being written somewhere else.
 */

type Check = (data: unknown) => string | undefined

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

// A field is a string; a reference or a display-value pair is an object of strings
// (`{ link, value }`, `{ display_value, value }`) — servicenow-api.md §1.3.
const isFieldValue = (value: unknown): boolean =>
  typeof value === "string" ||
  (isObject(value) &&
    typeof value.value === "string" &&
    Object.values(value).every((v) => typeof v === "string"))

// What is wrong with a record, as the rest of a sentence that starts with where it is (" is not a
// record"), or `undefined`. Nothing is built for a good record: a listing checks every one.
const recordProblem = (record: unknown, sysId = false): string | undefined => {
  if (!isObject(record)) return " is not a record"
  for (const field in record) if (!isFieldValue(record[field])) return `.${field} is not a string`
  // Every record has a sys_id, and it is always readable: a record without one is not a record.
  return sysId && !isFieldValue(record.sys_id) ? " has no sys_id" : undefined
}

const inResult = (problem: string | undefined) => (problem === undefined ? undefined : `result${problem}`)

/** Whether records read with these `sysparm_fields` must carry a sys_id (all fields, or listed). */
export const asksForSysId = (fields: ReadonlyArray<string> | undefined): boolean =>
  fields === undefined || fields.includes("sys_id")

const listCheck =
  (sysId: boolean): Check =>
  (data) => {
    if (!isObject(data) || !Array.isArray(data.result)) return "result is not a list of records"
    for (let i = 0; i < data.result.length; i++) {
      const problem = recordProblem(data.result[i], sysId)
      if (problem !== undefined) return `result[${i}]${problem}`
    }
    return undefined
  }

const recordCheck =
  (sysId: boolean): Check =>
  (data) =>
    isObject(data) ? inResult(recordProblem(data.result, sysId)) : "the body is not an object"

// Built once: a check is asked for on every request.
const LIST_WITH_SYS_ID = listCheck(true)
const LIST = listCheck(false)
const RECORD_WITH_SYS_ID = recordCheck(true)
const RECORD = recordCheck(false)

/** `{ result: [record…] }`: a Table API list page; `sysId`: each record must have one. */
export const listBody = (sysId: boolean): Check => (sysId ? LIST_WITH_SYS_ID : LIST)

/** `{ result: record }`: a Table API read or write; `sysId`: the record must have one. */
export const recordBody = (sysId: boolean): Check => (sysId ? RECORD_WITH_SYS_ID : RECORD)

/** `{ result: { … strings } }`: the app's setup summary. */
export const summaryBody: Check = (data) =>
  isObject(data) ? inResult(recordProblem(data.result)) : "the body is not an object"

/** `{ serviced_requests: [{ id, status_code, … }] }`: a Batch API answer. */
export const batchBody: Check = (data) => {
  if (!isObject(data) || !Array.isArray(data.serviced_requests)) return "serviced_requests is not a list"
  const bad = data.serviced_requests.findIndex(
    (item) => !isObject(item) || typeof item.id !== "string" || typeof item.status_code !== "number",
  )
  if (bad >= 0) return `serviced_requests[${bad}] has no id or status_code`
  return data.unserviced_requests === undefined || Array.isArray(data.unserviced_requests)
    ? undefined
    : "unserviced_requests is not a list"
}

/** `{ access_token, expires_in?, … }`: a token answer. */
export const tokenBody: Check = (data) => {
  if (!isObject(data) || typeof data.access_token !== "string" || data.access_token === "")
    return "access_token is not a string"
  if (data.refresh_token !== undefined && typeof data.refresh_token !== "string")
    return "refresh_token is not a string"
  return data.expires_in === undefined || typeof data.expires_in === "number"
    ? undefined
    : "expires_in is not a number"
}
