/**
 * One request to one instance, in the platform's order: hibernation page, body size limit,
 * `X-http-method-override`, the token endpoint (no authentication), then authentication, rate
 * limits, the transaction-quota switch, validation against `specs/servicenow/*.yaml`, and the Table,
 * Batch or app API. Validation problems become ServiceNow's statuses: unknown path 400, 405, 406,
 * 415 (400 when `Content-Type` is missing), 400 for parameters and bodies (servicenow-api.md §1.3,
 * §1.5).
 *
 * @module
 */
import { document as aggregateDocument } from "../generated/servicenow-aggregate.ts"
import { document as appDocument } from "../generated/servicenow-app.ts"
import { document as batchDocument } from "../generated/servicenow-batch.ts"
import { document as oauthDocument } from "../generated/servicenow-oauth.ts"
import { document as tableDocument } from "../generated/servicenow-table.ts"
import { type EmulatorRequest, type EmulatorResponse, html } from "../server/http.ts"
import { compileOpenApi, describeProblem, type RequestProblem } from "../server/openapi.ts"
import type { Caller } from "./acl.ts"
import { handleAggregate } from "./aggregate.ts"
import { handleApp } from "./app.ts"
import { authenticate, type GateWording } from "./auth.ts"
import { type BatchBody, handleBatch } from "./batch.ts"
import { failure } from "./envelope.ts"
import type { Instance } from "./Instance.ts"
import { handleToken, revokeToken, type TokenOptions, tokenFailure } from "./oauth.ts"
import type { RateLimitedApi } from "./rateLimit.ts"
import type { WriteOptions } from "./records.ts"
import { handleTable, parseTablePath } from "./table.ts"
import {
  APP_API_PREFIX,
  BATCH_PATH,
  HIBERNATION_PAGE,
  HIBERNATION_STATUS,
  INVALID_REQUEST,
  MAX_CONTENT_LENGTH,
  METHOD_NOT_ALLOWED,
  NO_RESOURCE,
  NOT_ACCEPTABLE,
  PROPERTY,
  payloadTooLarge,
  QUOTA_STATUS,
  REVOKE_PATH,
  rateLimited,
  TOKEN_PATH,
  TRANSACTION_CANCELLED,
  UNSUPPORTED_MEDIA_TYPE,
  unreadableBody,
} from "./vendor.ts"

/** Behaviour that does not live in an instance's tables. */
export interface DispatchOptions {
  readonly gateWording: GateWording
  readonly writes: WriteOptions
  readonly tokens: TokenOptions
}

const STATS_PREFIX = "/api/now/stats/"

/**
 * The typed per-table paths (`/api/now/v2/table/sys_user`) are a typing device of our spec for
 * stored values; the platform serves the same URL with display values too. Those requests are
 * validated against the generic table paths instead.
 */
const TYPED_TABLE_PATH = /^\/api\/now\/v2\/table\/[a-z_]+(\/\{sys_id\})?$/
const genericTableDocument = {
  ...tableDocument,
  paths: Object.fromEntries(
    Object.entries(tableDocument.paths).filter(([path]) => !TYPED_TABLE_PATH.test(path)),
  ),
}
const wantsDisplayValues = (request: EmulatorRequest) =>
  ["true", "all"].includes(request.url.searchParams.get("sysparm_display_value") ?? "")

const apis = {
  table: compileOpenApi(tableDocument),
  tableWithDisplayValues: compileOpenApi(genericTableDocument),
  aggregate: compileOpenApi(aggregateDocument),
  batch: compileOpenApi(batchDocument),
  app: compileOpenApi(appDocument),
  oauth: compileOpenApi(oauthDocument),
}

/** A validation problem as ServiceNow answers it. */
export const problemResponse = (problem: RequestProblem): EmulatorResponse => {
  const detail = describeProblem(problem)
  switch (problem.kind) {
    case "not-found":
      return failure(400, NO_RESOURCE)
    case "method-not-allowed":
      return failure(405, { message: METHOD_NOT_ALLOWED, detail }, { allow: problem.allow.join(", ") })
    case "not-acceptable":
      return failure(406, { message: NOT_ACCEPTABLE, detail })
    case "unsupported-media-type":
      // A missing Content-Type is a 400, an unsupported one a 415 ([SN-REST], [SN-CODES]).
      return problem.contentType === undefined
        ? failure(400, { message: INVALID_REQUEST, detail })
        : failure(415, { message: UNSUPPORTED_MEDIA_TYPE, detail })
    case "invalid-request":
      // A path that matches a template but not its path parameters (`/api/now/v3/…`) is no resource.
      if (problem.issues.every((issue) => issue.in === "path")) return failure(400, NO_RESOURCE)
      return problem.issues.some((issue) => issue.message === "body is not valid JSON")
        ? failure(400, unreadableBody(detail))
        : failure(400, { message: INVALID_REQUEST, detail })
  }
}

const apiOf = (pathname: string): RateLimitedApi => {
  if (pathname === BATCH_PATH || pathname === `${BATCH_PATH}/`) return "batch"
  if (pathname.startsWith(APP_API_PREFIX)) return "app"
  if (pathname.startsWith(STATS_PREFIX) || /^\/api\/now\/v\d+\/stats\//.test(pathname)) return "aggregate"
  return "table"
}

/** The token endpoint: form body only (query parameters only when the post-body-only property is off). */
const token = (instance: Instance, request: EmulatorRequest, options: TokenOptions): EmulatorResponse => {
  const checked = apis.oauth.validate(request)
  if (!checked.ok) {
    return checked.problem.kind === "method-not-allowed" ? problemResponse(checked.problem) : tokenFailure()
  }
  const form: Record<string, string> = {}
  if (instance.property(PROPERTY.postBodyOnly) === "false") {
    for (const [name, value] of request.url.searchParams) form[name] = value
  }
  Object.assign(form, checked.operation.body as Record<string, string>)
  return handleToken(instance, form, options)
}

/** Builds the dispatcher of one emulated ServiceNow. */
export const makeDispatcher = (options: DispatchOptions) => {
  /** `batchCaller`: the caller of the batch a request is an item of (items run in its session). */
  const dispatch = (
    instance: Instance,
    incoming: EmulatorRequest,
    batchCaller?: Caller,
  ): EmulatorResponse => {
    const nested = batchCaller !== undefined
    const startedAt = performance.now()
    if (instance.hibernating) return html(HIBERNATION_STATUS, HIBERNATION_PAGE)
    if (incoming.body.length > MAX_CONTENT_LENGTH) return failure(400, payloadTooLarge(incoming.body.length))
    const override = incoming.headers["x-http-method-override"]
    const request = override === undefined ? incoming : { ...incoming, method: override.toUpperCase() }
    const pathname = request.url.pathname
    if (pathname === TOKEN_PATH)
      return nested ? failure(400, NO_RESOURCE) : token(instance, request, options.tokens)
    if (pathname === REVOKE_PATH && !nested) {
      const checked = apis.oauth.validate(request)
      if (!checked.ok) return problemResponse(checked.problem)
      return revokeToken(instance, String(checked.operation.params.query.token))
    }

    // A batch authenticates once; its items run as that caller, as in one platform session.
    const auth =
      batchCaller === undefined
        ? authenticate(instance, request.headers.authorization, options.gateWording)
        : ({ ok: true, caller: batchCaller } as const)
    if (!auth.ok) return failure(401, auth.error)
    const { caller } = auth
    const api = apiOf(pathname)
    if (nested && api === "batch") return failure(400, NO_RESOURCE)

    let rateHeaders: Readonly<Record<string, string>> = {}
    if (!nested) {
      const verdict = instance.rateLimiter.check(
        {
          api,
          method: request.method,
          table: parseTablePath(pathname)?.table,
          userName: caller.userName,
          roles: caller.roles,
        },
        instance.clock.now(),
      )
      if (verdict.exceeded !== undefined) {
        return failure(429, rateLimited(verdict.exceeded.limit, verdict.exceeded.api), { ...verdict.headers })
      }
      rateHeaders = verdict.headers
    }
    if (instance.quota.cancelAll === true)
      return failure(QUOTA_STATUS, TRANSACTION_CANCELLED, { ...rateHeaders })

    const checked = (
      api === "table" && wantsDisplayValues(request) ? apis.tableWithDisplayValues : apis[api]
    ).validate(request)
    let response: EmulatorResponse
    if (!checked.ok) {
      response = problemResponse(checked.problem)
    } else if (api === "batch") {
      response = handleBatch(instance, request, checked.operation.body as BatchBody, (item) =>
        dispatch(instance, item, caller),
      )
    } else if (api === "aggregate") {
      response = handleAggregate(instance, caller, request.url, checked.operation.params.query)
    } else if (api === "app") {
      response = handleApp(instance, caller, request.url)
    } else {
      response = handleTable({
        instance,
        caller,
        method: request.method,
        url: request.url,
        query: checked.operation.params.query,
        header: checked.operation.params.header,
        body: checked.operation.body,
        startedAt,
        writes: options.writes,
      })
    }
    return Object.keys(rateHeaders).length === 0
      ? response
      : { ...response, headers: { ...response.headers, ...rateHeaders } }
  }
  return dispatch
}
