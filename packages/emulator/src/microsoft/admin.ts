/**
 * The Microsoft 365 admin-center support integration — a MODELED API (the service was retired on
 * 2025-05-30 and never had a documented one), per `specs/m365/support-integration.yaml`: the
 * Basic information tab and the repositories, with the form's validation (every field required
 * whatever the authentication type, refresh-token expiry defaulting to 864000) and write-only
 * secrets, stored as hashes.
 *
 * @module
 */
import { document } from "../generated/support-integration.ts"
import { type EmulatorRequest, type EmulatorResponse, empty, json } from "../server/http.ts"
import type { RequestProblem } from "../server/openapi.ts"
import type { Random } from "../server/random.ts"
import type { EmulatedSystem } from "../server/system.ts"
import {
  applicationByAppId,
  type Directory,
  hashSecret,
  isoSeconds,
  type RepositoryState,
  type TenantState,
} from "./directory.ts"
import { authenticate, type Principal } from "./tokens.ts"
import { specValidator } from "./validation.ts"
import {
  ADMIN_BASE_PATH,
  ADMIN_HOST,
  ADMIN_RESOURCE,
  SUPPORT_INTEGRATION_ADMIN_ROLES,
  SUPPORT_INTEGRATION_PERMISSION,
} from "./vendor.ts"

/** Modeled: the form's default refresh-token expiry. Source: integration-procedure.md §6.2 (864000). */
export const DEFAULT_REFRESH_TOKEN_EXPIRY = 864000

const REPOSITORY_FIELDS = [
  "endpoint",
  "authenticationType",
  "clientId",
  "clientSecret",
  "refreshTokenExpiry",
  "restUsername",
  "restUserPassword",
] as const

interface Detail {
  readonly code: string
  readonly target: string
  readonly message: string
}

/** @internal */
export const createAdmin = (options: { readonly directory: Directory; readonly random: Random }) => {
  const { directory, random } = options
  const spec = specValidator(document)

  const headers = (requestId: string) => ({ "request-id": requestId })
  const error = (
    requestId: string,
    status: number,
    code: string,
    message: string,
    details?: ReadonlyArray<Detail>,
  ) =>
    json(
      status,
      { error: { code, message, ...(details === undefined ? {} : { details }), requestId } },
      headers(requestId),
    )

  const renderRepository = (r: RepositoryState) => ({
    repository: r.repository,
    endpoint: r.endpoint,
    authenticationType: r.authenticationType,
    clientId: r.clientId,
    clientSecretConfigured: r.clientSecretHash !== "",
    refreshTokenExpiry: r.refreshTokenExpiry,
    restUsername: r.restUsername,
    restUserPasswordConfigured: r.restUserPasswordHash !== "",
    createdDateTime: isoSeconds(r.createdMs),
    lastModifiedDateTime: isoSeconds(r.lastModifiedMs),
  })

  const renderBasic = (tenant: TenantState) => ({
    internalSupportTool: tenant.support.internalSupportTool,
    applicationId: tenant.support.applicationId,
    lastModifiedDateTime:
      tenant.support.lastModifiedMs === null ? null : isoSeconds(tenant.support.lastModifiedMs),
  })

  const refuse = (requestId: string, request: EmulatorRequest, problem: RequestProblem): EmulatorResponse => {
    switch (problem.kind) {
      case "not-found":
        return error(requestId, 404, "NotFound", `No modeled operation at ${request.url.pathname}.`)
      case "method-not-allowed":
        return error(requestId, 405, "MethodNotAllowed", `Allowed: ${problem.allow.join(", ")}.`)
      case "not-acceptable":
        return error(requestId, 406, "NotAcceptable", `Cannot produce '${problem.accept}'.`)
      case "unsupported-media-type":
        return error(requestId, 415, "UnsupportedMediaType", "Send the form as application/json.")
      case "invalid-request": {
        const details: Array<Detail> = []
        for (const issue of problem.issues) {
          if (issue.in !== "body") {
            details.push({ code: "Invalid", target: issue.name ?? issue.in, message: issue.message })
            continue
          }
          const target = issue.pointer.split("/").filter((p) => p !== "")[0] ?? ""
          if (
            issue.message.includes("unevaluated properties") ||
            issue.message.includes("additional properties")
          ) {
            continue // reported below, by name
          }
          const code = issue.message.includes("must have required property") ? "Required" : "Invalid"
          const message =
            code === "Required"
              ? `${target} is required.`
              : `${target} ${issue.message.replace(/^body\/\S*\s/, "")}.`
          if (!details.some((d) => d.target === target))
            details.push({ code, target: target || "body", message })
        }
        let body: unknown
        try {
          body = request.body.length === 0 ? undefined : JSON.parse(request.body.toString("utf8"))
        } catch {
          return error(requestId, 400, "ValidationFailed", "The body is not valid JSON.")
        }
        if (typeof body === "object" && body !== null) {
          const allowed: ReadonlyArray<string> =
            request.method === "POST" ? ["repository", ...REPOSITORY_FIELDS] : REPOSITORY_FIELDS
          const basic = request.url.pathname.endsWith("/basicInformation")
          for (const name of Object.keys(body)) {
            const known = basic
              ? ["internalSupportTool", "applicationId"].includes(name)
              : allowed.includes(name)
            if (!known)
              details.push({ code: "Unknown", target: name, message: `${name} is not a field of this form.` })
          }
        }
        return error(requestId, 400, "ValidationFailed", "The form has errors.", details)
      }
    }
  }

  const mayUse = (principal: Principal) =>
    principal.kind === "app"
      ? principal.roles.has(SUPPORT_INTEGRATION_PERMISSION)
      : principal.scopes.has(SUPPORT_INTEGRATION_PERMISSION) &&
        (principal.user?.roles ?? []).some((r) =>
          (SUPPORT_INTEGRATION_ADMIN_ROLES as ReadonlyArray<string>).includes(r),
        )

  const store = (
    tenant: TenantState,
    id: string,
    fields: Readonly<Record<string, unknown>>,
    existing: RepositoryState | undefined,
  ): RepositoryState => {
    const now = directory.clock.now()
    const repository: RepositoryState = {
      repository: id,
      endpoint: String(fields.endpoint),
      authenticationType: String(fields.authenticationType),
      clientId: String(fields.clientId),
      clientSecretHash: hashSecret(String(fields.clientSecret)),
      refreshTokenExpiry:
        typeof fields.refreshTokenExpiry === "number"
          ? fields.refreshTokenExpiry
          : DEFAULT_REFRESH_TOKEN_EXPIRY,
      restUsername: String(fields.restUsername),
      restUserPasswordHash: hashSecret(String(fields.restUserPassword)),
      createdMs: existing?.createdMs ?? now,
      lastModifiedMs: now,
    }
    tenant.support.repositories.set(id, repository)
    return repository
  }

  const handle = (request: EmulatorRequest): EmulatorResponse => {
    const requestId = random.guid()
    const auth = authenticate(directory, request.headers.authorization, [ADMIN_RESOURCE])
    if (!auth.ok) {
      return {
        ...error(
          requestId,
          401,
          "InvalidAuthenticationToken",
          `Bearer token ${auth.problem} (audience ${ADMIN_RESOURCE}).`,
        ),
        headers: {
          ...headers(requestId),
          "content-type": "application/json",
          "www-authenticate": `Bearer resource="${ADMIN_RESOURCE}"`,
        },
      }
    }
    const { principal } = auth
    if (!mayUse(principal)) {
      return error(
        requestId,
        403,
        "Forbidden",
        `The caller needs ${SUPPORT_INTEGRATION_PERMISSION} (application role, or delegated scope with an admin role).`,
      )
    }
    const checked = spec.validate(request)
    if (!checked.ok) return refuse(requestId, request, checked.problem)
    const { operationId, params, body } = checked.operation
    const tenant = principal.tenant
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
    const repositoryId = typeof params.path.repositoryId === "string" ? params.path.repositoryId : ""
    const ok = (status: number, value: unknown) => json(status, value, headers(requestId))
    const missing = () => error(requestId, 404, "RepositoryNotFound", `No repository '${repositoryId}'.`)

    switch (operationId) {
      case "basicInformation_Get":
        return ok(200, renderBasic(tenant))
      case "basicInformation_Clear":
        tenant.support.internalSupportTool = null
        tenant.support.applicationId = null
        tenant.support.lastModifiedMs = null
        return empty(204, headers(requestId))
      case "basicInformation_Set": {
        const applicationId = String(fields.applicationId)
        if (applicationByAppId(tenant, applicationId) === undefined) {
          return error(
            requestId,
            400,
            "ApplicationNotFound",
            "The application is not registered in this tenant.",
            [
              {
                code: "Invalid",
                target: "applicationId",
                message: `No application with client id ${applicationId}.`,
              },
            ],
          )
        }
        tenant.support.internalSupportTool = String(fields.internalSupportTool)
        tenant.support.applicationId = applicationId.toLowerCase()
        tenant.support.lastModifiedMs = directory.clock.now()
        return ok(200, renderBasic(tenant))
      }
      case "repositories_List":
        return ok(200, { value: [...tenant.support.repositories.values()].map(renderRepository) })
      case "repositories_Create": {
        const id = String(fields.repository)
        if (tenant.support.repositories.has(id)) {
          return error(
            requestId,
            409,
            "RepositoryAlreadyExists",
            `A repository '${id}' exists; replace it with PUT.`,
          )
        }
        return ok(201, renderRepository(store(tenant, id, fields, undefined)))
      }
      case "repositories_Get": {
        const repository = tenant.support.repositories.get(repositoryId)
        return repository === undefined ? missing() : ok(200, renderRepository(repository))
      }
      case "repositories_Put": {
        const existing = tenant.support.repositories.get(repositoryId)
        return ok(
          existing === undefined ? 201 : 200,
          renderRepository(store(tenant, repositoryId, fields, existing)),
        )
      }
      case "repositories_Delete":
        if (!tenant.support.repositories.delete(repositoryId)) return missing()
        return empty(204, headers(requestId))
      default:
        return error(requestId, 501, "NotImplemented", "Not implemented by the emulator.")
    }
  }

  const system: EmulatedSystem = {
    name: "admin",
    hostPatterns: [ADMIN_HOST],
    serves: (host) => host === ADMIN_HOST,
    handle: (request) => {
      if (!request.url.pathname.startsWith(`${ADMIN_BASE_PATH}/`)) {
        return error(random.guid(), 404, "NotFound", `The modeled API lives under ${ADMIN_BASE_PATH}.`)
      }
      return handle(request)
    },
    faultResponse: (status) =>
      error(
        random.guid(),
        status,
        status === 429 ? "TooManyRequests" : "InternalServerError",
        `Injected fault ${status}.`,
      ),
    reset: () => {},
    snapshot: () => ({}),
  }
  return { system, renderRepository, renderBasic }
}
