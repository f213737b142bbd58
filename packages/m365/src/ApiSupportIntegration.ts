/**
 * The support-integration port over the **modeled** admin-center API
 * (`specs/m365/support-integration.yaml`, generated types in `generated/support-integration.ts`):
 * openapi-fetch through core's transport and bridge, a token for `https://admin.microsoft.com`
 * from the credential. Served only by `@sn365/emulator` — Microsoft never published such an API.
 *
 * @module
 */

import {
  brokenConnectionRemedy,
  defaultFetch,
  type Fetch,
  type HttpError,
  mayHaveBeenProcessed,
  pathSerializer,
  transportFetch,
} from "@sn365/core"
import { type Duration, Effect, Redacted } from "effect"
import createClient from "openapi-fetch"
import type { TokenCredential } from "./Credential.ts"
import {
  ApplicationNotFound,
  InsufficientPrivileges,
  type M365Error,
  RepositoryFieldsRequired,
} from "./Errors.ts"
import type { paths, Repository as WireRepository } from "./generated/support-integration.ts"
import { bearerSender } from "./internal/bearer.ts"
import { errorFields } from "./internal/errorFields.ts"
import { basicInformationBody, repositoryBody, repositoryListBody } from "./internal/shape.ts"
import type {
  BasicInformation,
  Repository,
  RepositoryInput,
  SupportIntegration,
} from "./SupportIntegration.ts"
import {
  ADMIN_API_BASE_URL,
  ADMIN_DEFAULT_SCOPE,
  ADMIN_ERROR,
  DEFAULT_REFRESH_TOKEN_EXPIRY,
  SUPPORT_INTEGRATION_PERMISSION,
} from "./vendor.ts"

/** Options of {@link apiSupportIntegration}. */
export interface ApiSupportIntegrationOptions {
  /** Signs the requests (`https://admin.microsoft.com/.default`). */
  readonly credential: TokenCredential
  /** Every request goes through it. Default: the global fetch. */
  readonly fetch?: Fetch | undefined
  /** Per request. Default 60 s. */
  readonly timeout?: Duration.Input | undefined
}

const ADMIN_HOST = new URL(ADMIN_API_BASE_URL).host
const UNREACHABLE = `Could not reach ${ADMIN_HOST}: check the network and the proxy. The modeled API exists only in @sn365/emulator.`

const remedy = (e: HttpError): string | undefined => {
  switch (e._tag) {
    case "BadRequest":
      return "The form refused a field; vendorDetail names it (every field is required, whatever the authentication type)."
    case "Unauthorized":
      return "The admin center refused the token: it must be issued for https://admin.microsoft.com in this tenant."
    case "Conflict":
      return "A repository with this id exists already; update it instead."
    case "NotFound":
      // The modeled API names a missing repository; any other 404 means the API is not there at all.
      return e.vendorCode === ADMIN_ERROR.repositoryNotFound
        ? "No repository with this id; create it instead."
        : `${ADMIN_HOST} does not serve the modeled API: it exists only in @sn365/emulator (use microsoft365.mode "manual" against a real tenant).`
    case "Throttled":
      return "The admin center kept throttling beyond the retry budget; wait and run again."
    case "ServerError":
      return "The admin center failed; try again later."
    case "NetworkError":
      return mayHaveBeenProcessed(e) ? brokenConnectionRemedy(ADMIN_HOST) : UNREACHABLE
    case "Timeout":
      return UNREACHABLE
    case "UnexpectedResponse":
      return `Something other than the modeled API answered at ${ADMIN_HOST}; it exists only in @sn365/emulator (use microsoft365.mode "manual" against a real tenant).`
    default:
      return undefined
  }
}

/** The admin center's refusals that the m365 family names. */
const specific = (e: M365Error, applicationId?: string): M365Error => {
  if (e._tag === "Forbidden") {
    return new InsufficientPrivileges({
      ...errorFields(e),
      requiredPermission: SUPPORT_INTEGRATION_PERMISSION,
      remedy: `Grant the signing-in application the (modeled) app role ${SUPPORT_INTEGRATION_PERMISSION} on https://admin.microsoft.com, or sign in as a Global, Helpdesk or Service Support Administrator.`,
    })
  }
  if (
    e._tag === "BadRequest" &&
    e.vendorCode === ADMIN_ERROR.applicationNotFound &&
    applicationId !== undefined
  ) {
    return new ApplicationNotFound({
      ...errorFields(e),
      application: applicationId,
      remedy:
        "The Application ID must be the client id of an application registered in this tenant (the Outbound app).",
    })
  }
  return e
}

const toRepository = (wire: WireRepository): Repository => ({
  repository: wire.repository,
  endpoint: wire.endpoint,
  authenticationType: wire.authenticationType,
  clientId: wire.clientId,
  clientSecretConfigured: wire.clientSecretConfigured,
  refreshTokenExpiry: wire.refreshTokenExpiry,
  restUsername: wire.restUsername,
  restUserPasswordConfigured: wire.restUserPasswordConfigured,
  createdDateTime: wire.createdDateTime,
  lastModifiedDateTime: wire.lastModifiedDateTime,
})

const fieldsOf = (repo: Omit<RepositoryInput, "repository">) => ({
  endpoint: repo.endpoint,
  authenticationType: repo.authenticationType,
  clientId: repo.clientId,
  clientSecret: Redacted.value(repo.clientSecret),
  refreshTokenExpiry: repo.refreshTokenExpiry ?? DEFAULT_REFRESH_TOKEN_EXPIRY,
  restUsername: repo.restUsername,
  restUserPassword: Redacted.value(repo.restUserPassword),
})

/**
 * The support-integration port over the modeled admin-center API.
 *
 * @example
 * ```ts
 * const support = apiSupportIntegration({ credential, fetch: emulator.fetch })
 * yield* support.setBasicInformation({ internalSupportTool: "ServiceNow", applicationId: app.appId })
 * ```
 */
export const apiSupportIntegration = (options: ApiSupportIntegrationOptions): SupportIntegration => {
  const api = createClient<paths>({
    baseUrl: ADMIN_API_BASE_URL,
    fetch: transportFetch(options.fetch ?? defaultFetch),
    // transportFetch follows redirects itself; a request built so is not copied again.
    redirect: "manual",
    // openapi-fetch's output, with each path template split once rather than matched per request.
    pathSerializer,
  })
  const send = bearerSender({
    credential: options.credential,
    scope: ADMIN_DEFAULT_SCOPE,
    remedy,
    timeout: options.timeout,
  })

  const getBasicInformation = () =>
    send((init) => api.GET("/basicInformation", init), { validate: basicInformationBody }).pipe(
      Effect.map(({ data }): BasicInformation | undefined =>
        data?.internalSupportTool === "ServiceNow" && typeof data.applicationId === "string"
          ? {
              internalSupportTool: data.internalSupportTool,
              applicationId: data.applicationId,
              lastModifiedDateTime: data.lastModifiedDateTime ?? undefined,
            }
          : undefined,
      ),
      Effect.mapError((e) => specific(e)),
    )

  const setBasicInformation = (info: {
    readonly internalSupportTool: "ServiceNow"
    readonly applicationId: string
  }) =>
    send((init) => api.PUT("/basicInformation", { body: { ...info }, ...init }), { idempotent: true }).pipe(
      Effect.asVoid,
      Effect.mapError((e) => specific(e, info.applicationId)),
    )

  const listRepositories = () =>
    send((init) => api.GET("/repositories", init), { validate: repositoryListBody }).pipe(
      Effect.map(({ data }) => (data?.value ?? []).map(toRepository)),
      Effect.mapError((e) => specific(e)),
    )

  const createRepository = (repo: RepositoryInput) =>
    send(
      (init) =>
        api.POST("/repositories", { body: { repository: repo.repository, ...fieldsOf(repo) }, ...init }),
      { validate: repositoryBody },
    ).pipe(
      Effect.map(({ data }) => toRepository(data as WireRepository)),
      Effect.mapError((e) => specific(e)),
    )

  const current = (repository: string) =>
    send(
      (init) =>
        api.GET("/repositories/{repositoryId}", { params: { path: { repositoryId: repository } }, ...init }),
      { validate: repositoryBody },
    ).pipe(Effect.map(({ data }) => toRepository(data as WireRepository)))

  const updateRepository = (repository: string, repo: Partial<Omit<RepositoryInput, "repository">>) =>
    Effect.gen(function* () {
      const { clientSecret, restUserPassword } = repo
      if (clientSecret === undefined || restUserPassword === undefined) {
        return yield* new RepositoryFieldsRequired({
          repository,
          missing: [
            ...(clientSecret === undefined ? ["clientSecret"] : []),
            ...(restUserPassword === undefined ? ["restUserPassword"] : []),
          ],
          remedy: "The form never returns secrets, so every save needs them again: pass both.",
        })
      }
      const now = yield* current(repository)
      const merged = { ...now, ...definedOnly(repo), clientSecret, restUserPassword }
      const { data } = yield* send(
        (init) =>
          api.PUT("/repositories/{repositoryId}", {
            params: { path: { repositoryId: repository } },
            body: fieldsOf(merged),
            ...init,
          }),
        { idempotent: true, validate: repositoryBody },
      )
      return toRepository(data as WireRepository)
    }).pipe(Effect.mapError((e) => specific(e)))

  const deleteRepository = (repository: string) =>
    send(
      (init) =>
        api.DELETE("/repositories/{repositoryId}", {
          params: { path: { repositoryId: repository } },
          ...init,
        }),
      { idempotent: true },
    ).pipe(
      Effect.asVoid,
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.mapError((e) => specific(e)),
    )

  const clearBasicInformation = () =>
    send((init) => api.DELETE("/basicInformation", init), { idempotent: true }).pipe(
      Effect.asVoid,
      Effect.mapError((e) => specific(e)),
    )

  return {
    scopes: [ADMIN_DEFAULT_SCOPE],
    getBasicInformation,
    setBasicInformation,
    clearBasicInformation,
    listRepositories,
    createRepository,
    updateRepository,
    deleteRepository,
  }
}

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
