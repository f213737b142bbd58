/**
 * The emulated Microsoft Graph v1.0 at `graph.microsoft.com`: bearer-token checks, throttling
 * (injected 429 storms and the per-application write quota, with `Retry-After`), request
 * validation against `specs/microsoft-graph/applications.yaml`, and dispatch to the
 * applications, service-principals and `$batch` handlers.
 *
 * @module
 */
import { document } from "../generated/graph.ts"
import type { EmulatorRequest, EmulatorResponse } from "../server/http.ts"
import type { RequestIssue, RequestProblem } from "../server/openapi.ts"
import type { Random } from "../server/random.ts"
import type { EmulatedSystem } from "../server/system.ts"
import {
  addPassword,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  removePassword,
  updateApplication,
} from "./applications.ts"
import { runBatch } from "./batch.ts"
import type { Directory } from "./directory.ts"
import type { GraphCall } from "./graphCall.ts"
import { accessOf, badRequest, type GraphRequestContext, odataError } from "./odata.ts"
import {
  createServicePrincipal,
  deleteServicePrincipal,
  getServicePrincipal,
  listServicePrincipals,
  upsertServicePrincipal,
} from "./servicePrincipals.ts"
import { authenticate, type Principal } from "./tokens.ts"
import { specValidator } from "./validation.ts"
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  GRAPH_APP_ID,
  GRAPH_ERROR,
  GRAPH_HOST,
  GRAPH_MESSAGE,
  GRAPH_RESOURCE,
  GRAPH_VERSION_PATH,
  GRAPH_WRITE_QUOTA,
} from "./vendor.ts"

/** A 429 storm: the next `count` matching Graph requests (batch items included) are throttled. */
export interface GraphThrottle {
  /** How many requests; forever when omitted (remove it with the returned function). */
  readonly count?: number
  /** `Retry-After`, seconds. Default 5. */
  readonly retryAfterSeconds?: number
  /** Upper-case method; any when omitted. */
  readonly method?: string
  /** Path after `/v1.0`: a prefix string or a RegExp. Any when omitted. */
  readonly path?: string | RegExp
}

/** The per-application-and-tenant write quota (default 3,000 writes per 150 s). */
export interface WriteQuota {
  readonly requests: number
  readonly windowMs: number
}

type Handler = (call: GraphCall) => EmulatorResponse

const HANDLERS: Readonly<Record<string, Handler>> = {
  application_ListApplication: listApplications,
  application_CreateApplication: createApplication,
  application_GetApplication: getApplication,
  application_GetApplicationByAppId: getApplication,
  application_GetApplicationByUniqueName: getApplication,
  application_UpdateApplication: updateApplication,
  application_UpdateApplicationByAppId: updateApplication,
  application_UpsertApplicationByUniqueName: updateApplication,
  application_DeleteApplication: deleteApplication,
  application_DeleteApplicationByAppId: deleteApplication,
  application_DeleteApplicationByUniqueName: deleteApplication,
  application_addPassword: addPassword,
  application_addPasswordByAppId: addPassword,
  application_removePassword: removePassword,
  application_removePasswordByAppId: removePassword,
  servicePrincipal_ListServicePrincipal: listServicePrincipals,
  servicePrincipal_CreateServicePrincipal: createServicePrincipal,
  servicePrincipal_GetServicePrincipal: getServicePrincipal,
  servicePrincipal_GetServicePrincipalByAppId: getServicePrincipal,
  servicePrincipal_UpsertServicePrincipalByAppId: upsertServicePrincipal,
  servicePrincipal_DeleteServicePrincipal: deleteServicePrincipal,
  servicePrincipal_DeleteServicePrincipalByAppId: deleteServicePrincipal,
}

/** @internal The operationIds the emulator serves, for the spec-coverage test. */
export const GRAPH_OPERATION_IDS: ReadonlyArray<string> = [...Object.keys(HANDLERS), "batch_Post"]

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"])

/** @internal */
export interface GraphOptions {
  readonly directory: Directory
  readonly random: Random
}

/** @internal */
export const createGraph = (options: GraphOptions) => {
  const { directory, random } = options
  const spec = specValidator(document)
  let storms: Array<{ rule: GraphThrottle; applied: number }> = []
  let writeQuota: WriteQuota | undefined = GRAPH_WRITE_QUOTA
  let writes = new Map<string, Array<number>>()

  const contextOf = (request: EmulatorRequest): GraphRequestContext => ({
    requestId: random.guid(),
    clientRequestId: request.headers["client-request-id"] ?? random.guid(),
    now: directory.clock.now(),
  })

  const throttled = (
    context: GraphRequestContext,
    principal: Principal,
    seconds: number,
    information: string,
  ) =>
    odataError(context, 429, GRAPH_ERROR.throttled, GRAPH_MESSAGE.throttled, {
      headers: {
        "retry-after": String(seconds),
        "x-ms-throttle-scope": `Tenant_Application/${information === "WriteLimitExceeded" ? "Write" : "ReadWrite"}/${principal.appId}/${principal.tenant.id}`,
        "x-ms-throttle-information": information,
      },
    })

  /** A 429 from a storm or the write quota, or `undefined`. Counts the write when it passes. */
  const throttle = (
    request: EmulatorRequest,
    relative: string,
    context: GraphRequestContext,
    principal: Principal,
  ) => {
    for (const storm of storms) {
      const { rule } = storm
      if (rule.method !== undefined && rule.method !== request.method) continue
      if (
        rule.path !== undefined &&
        !(typeof rule.path === "string" ? relative.startsWith(rule.path) : rule.path.test(relative))
      ) {
        continue
      }
      storm.applied++
      if (rule.count !== undefined && storm.applied >= rule.count) storms = storms.filter((s) => s !== storm)
      return throttled(
        context,
        principal,
        rule.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
        "ResourceUnitLimitExceeded",
      )
    }
    if (writeQuota === undefined || !WRITE_METHODS.has(request.method)) return undefined
    const key = `${principal.tenant.id}:${principal.appId}`
    const recent = (writes.get(key) ?? []).filter((t) => context.now - t < (writeQuota?.windowMs ?? 0))
    if (recent.length >= writeQuota.requests) {
      writes.set(key, recent)
      const oldest = recent[0] ?? context.now
      const seconds = Math.max(1, Math.ceil((oldest + writeQuota.windowMs - context.now) / 1000))
      return throttled(context, principal, seconds, "WriteLimitExceeded")
    }
    recent.push(context.now)
    writes.set(key, recent)
    return undefined
  }

  const resourceName = (operationId: string | undefined) =>
    operationId?.startsWith("servicePrincipal") ? "ServicePrincipal" : "Application"

  /** A spec violation as Graph answers it. */
  const refuse = (
    context: GraphRequestContext,
    request: EmulatorRequest,
    problem: RequestProblem,
    operationId: string | undefined,
  ): EmulatorResponse => {
    switch (problem.kind) {
      case "not-found": {
        const segment =
          request.url.pathname
            .split("/")
            .filter((s) => s !== "")
            .pop() ?? ""
        return odataError(
          context,
          400,
          GRAPH_ERROR.gatewayBadRequest,
          GRAPH_MESSAGE.segment(decodeURIComponent(segment)),
        )
      }
      case "method-not-allowed":
        return odataError(context, 405, GRAPH_ERROR.badRequest, GRAPH_MESSAGE.methodNotAllowed, {
          headers: { allow: problem.allow.join(", ") },
        })
      case "not-acceptable":
        return odataError(context, 406, GRAPH_ERROR.badRequest, `Cannot produce '${problem.accept}'.`)
      case "unsupported-media-type":
        return odataError(context, 415, GRAPH_ERROR.gatewayBadRequest, GRAPH_MESSAGE.invalidJson)
      case "invalid-request": {
        const issue = problem.issues[0] as RequestIssue
        if (operationId === "batch_Post") {
          const tooMany = problem.issues.some((i) => /more than \d+ items/.test(i.message))
          return odataError(
            context,
            400,
            GRAPH_ERROR.gatewayBadRequest,
            tooMany
              ? "The number of batch requests exceeds the limit of 20."
              : `Invalid batch payload: ${issue.message}`,
          )
        }
        if (issue.in === "query" && issue.name === "$top") {
          return badRequest(context, GRAPH_MESSAGE.pageSize(request.url.searchParams.get("$top") ?? ""))
        }
        if (issue.in !== "body")
          return badRequest(context, `Invalid ${issue.in} parameter '${issue.name ?? ""}': ${issue.message}`)
        if (issue.message === "body is not valid JSON")
          return odataError(context, 400, GRAPH_ERROR.gatewayBadRequest, GRAPH_MESSAGE.invalidJson)
        const property = issue.pointer.split("/").filter((p) => p !== "")[0] ?? ""
        const message = issue.message.includes("must have required property")
          ? GRAPH_MESSAGE.requiredProperty(property, resourceName(operationId))
          : property === ""
            ? GRAPH_MESSAGE.invalidJson
            : GRAPH_MESSAGE.invalidProperty(property, resourceName(operationId))
        return badRequest(context, message)
      }
    }
  }

  /** One Graph request (top level or batch item) after authentication. */
  const serve = (request: EmulatorRequest, principal: Principal, batchItem: boolean): EmulatorResponse => {
    const context = contextOf(request)
    const relative = request.url.pathname.slice(GRAPH_VERSION_PATH.length)
    const checked = spec.validate(request)
    if (!checked.ok) return refuse(context, request, checked.problem, checked.operationId)
    const { operation } = checked
    if (operation.operationId === "batch_Post") {
      if (batchItem) return badRequest(context, "A batch cannot contain a batch.")
      const body = operation.body as { requests: Parameters<typeof runBatch>[3] }
      return runBatch(context, random, request, body.requests, (inner) => serve(inner, principal, true))
    }
    const limited = throttle(request, relative, context, principal)
    if (limited !== undefined) return limited
    const handler = HANDLERS[operation.operationId ?? ""]
    if (handler === undefined)
      return odataError(context, 501, GRAPH_ERROR.serverError, "Not implemented by the emulator.")
    return handler({
      context,
      directory,
      random,
      tenant: principal.tenant,
      principal,
      access: accessOf(principal),
      path: operation.params.path,
      query: operation.params.query,
      headers: request.headers,
      body: operation.body,
      url: request.url,
    })
  }

  const handle = (incoming: EmulatorRequest): EmulatorResponse => {
    let request = incoming
    const context = contextOf(request)
    const path = request.url.pathname
    if (!(path === GRAPH_VERSION_PATH || path.startsWith(`${GRAPH_VERSION_PATH}/`))) {
      const version = path.split("/")[1] ?? ""
      return odataError(context, 400, GRAPH_ERROR.gatewayBadRequest, `Invalid version: ${version}`)
    }
    // `/v1.0/myorganization/…` addresses the caller's own tenant (entra-graph-msal.md §1.1).
    if (path.startsWith(`${GRAPH_VERSION_PATH}/myorganization/`)) {
      const url = new URL(request.url)
      url.pathname = path.replace("/myorganization", "")
      request = { ...request, url }
    }
    const auth = authenticate(directory, request.headers.authorization, [GRAPH_RESOURCE, GRAPH_APP_ID])
    if (!auth.ok) {
      const message =
        auth.problem === "missing"
          ? GRAPH_MESSAGE.emptyToken
          : auth.problem === "expired"
            ? GRAPH_MESSAGE.expiredToken
            : GRAPH_MESSAGE.invalidToken
      return odataError(context, 401, GRAPH_ERROR.invalidToken, message, {
        headers: {
          "www-authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
        },
      })
    }
    return serve(request, auth.principal, false)
  }

  // The code Graph answers each status with, so an injected fault looks like a real one.
  const FAULT_CODES: Readonly<Record<number, string>> = {
    401: GRAPH_ERROR.invalidToken,
    403: GRAPH_ERROR.denied,
    404: GRAPH_ERROR.notFound,
    409: GRAPH_ERROR.conflict,
    429: GRAPH_ERROR.throttled,
    503: GRAPH_ERROR.serviceUnavailable,
  }
  const faultCode = (status: number) =>
    FAULT_CODES[status] ?? (status >= 500 ? GRAPH_ERROR.serverError : GRAPH_ERROR.badRequest)

  const system: EmulatedSystem = {
    name: "graph",
    hostPatterns: [GRAPH_HOST],
    serves: (host) => host === GRAPH_HOST,
    handle,
    faultResponse: (status, request) =>
      odataError(contextOf(request), status, faultCode(status), `Injected fault ${status}.`),
    reset: () => {
      storms = []
      writes = new Map()
      writeQuota = GRAPH_WRITE_QUOTA
    },
    snapshot: () => ({
      storms: storms.map((s) => ({ ...s.rule, path: String(s.rule.path ?? ""), applied: s.applied })),
    }),
  }

  return {
    system,
    /** Starts a 429 storm; returns a function that ends it. */
    throttle: (rule: GraphThrottle) => {
      const storm = { rule, applied: 0 }
      storms.push(storm)
      return () => {
        storms = storms.filter((s) => s !== storm)
      }
    },
    /** Changes (or, with `undefined`, removes) the write quota. */
    setWriteQuota: (quota: WriteQuota | undefined) => {
      writeQuota = quota
      writes = new Map()
    },
  }
}
