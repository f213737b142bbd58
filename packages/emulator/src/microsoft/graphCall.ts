/**
 * What every Graph operation handler receives, and the helpers they share: body checks against the
 * CSDL property lists, `Prefer` parsing, deep merge of PATCH bodies, and list responses.
 *
 * @module
 */
import type { EmulatorResponse } from "../server/http.ts"
import type { Random } from "../server/random.ts"
import type { Directory, TenantState } from "./directory.ts"
import { isProblem, type QueryProblem } from "./graphQuery.ts"
import { type Access, badRequest, type GraphRequestContext, odataError } from "./odata.ts"
import type { Principal } from "./tokens.ts"
import { GRAPH_ERROR, GRAPH_MESSAGE } from "./vendor.ts"

/** One validated Graph request, ready for its operation handler. */
export interface GraphCall {
  readonly context: GraphRequestContext
  readonly directory: Directory
  readonly random: Random
  readonly tenant: TenantState
  readonly principal: Principal
  readonly access: Access
  readonly path: Readonly<Record<string, unknown>>
  readonly query: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  /** The URL as the client addressed it (for `@odata.nextLink`). */
  readonly url: URL
}

/** The body as a JSON object (the spec has already checked its shape). */
export const bodyObject = (call: GraphCall): Record<string, unknown> =>
  typeof call.body === "object" && call.body !== null && !Array.isArray(call.body)
    ? (call.body as Record<string, unknown>)
    : {}

/** Whether `Prefer` asks for `create-if-missing` (preferences are comma-separated). */
export const prefersCreate = (call: GraphCall) =>
  (call.headers.prefer ?? "")
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .includes("create-if-missing")

/**
 * Refuses names the entity type does not have and read-only ones. `@`-annotations
 * (`owners@odata.bind`, `@odata.type`) pass.
 */
export const checkProperties = (
  call: GraphCall,
  body: Readonly<Record<string, unknown>>,
  known: ReadonlyArray<string>,
  readOnly: ReadonlyArray<string>,
): EmulatorResponse | undefined => {
  for (const name of Object.keys(body)) {
    if (name.includes("@")) continue
    if (!known.includes(name)) {
      return badRequest(
        call.context,
        `Property '${name}' does not exist as a declared property or extension property.`,
      )
    }
    if (readOnly.includes(name)) return badRequest(call.context, GRAPH_MESSAGE.readOnlyProperty(name))
  }
  return undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** PATCH semantics: nested objects merge, everything else (arrays, scalars, null) replaces. */
export const deepMerge = (
  target: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

/** The body without `@` annotations. */
export const withoutAnnotations = (body: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => !key.includes("@")))

/** Object ids named by `owners@odata.bind` (`https://graph.microsoft.com/v1.0/directoryObjects/{id}`). */
export const boundOwners = (body: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const binds = body["owners@odata.bind"]
  if (!Array.isArray(binds)) return []
  return binds.map((b) => String(b).split("/").pop() ?? "").filter((id) => id !== "")
}

/** A query problem as Graph answers it. */
export const queryProblem = (call: GraphCall, problem: QueryProblem) =>
  problem.kind === "unsupported"
    ? odataError(call.context, 400, GRAPH_ERROR.unsupportedQuery, problem.message)
    : badRequest(call.context, problem.message)

export { isProblem }
