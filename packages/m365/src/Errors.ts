/**
 * The errors @sn365/m365 fails with: the core HTTP family (`BadRequest`, `Forbidden`, `Throttled`…,
 * each with a `remedy` filled here) plus the Microsoft-specific ones below. Every error carries
 * what a person needs to fix the problem — the vendor's code (`AADSTS7000215`,
 * `Authorization_RequestDenied`…), the request id support asks for, and a `remedy` — and never a
 * secret: vendor text is taken from core's redacted errors, and no error holds a header, a body or
 * a cause object.
 *
 * @module
 */
import { type HttpError, isHttpError } from "@sn365/core"
import { Predicate, Schema } from "effect"

const Context = {
  /** The HTTP method of the request that failed, when there was one. */
  method: Schema.optional(Schema.String),
  /** Its URL, redacted. */
  url: Schema.optional(Schema.String),
  /** The HTTP status of the vendor's answer. */
  status: Schema.optional(Schema.Number),
  /** The vendor's request id (Graph `request-id`, identity platform trace id). */
  requestId: Schema.optional(Schema.String),
  /** The vendor's code: `AADSTS7000215`, `Request_ResourceNotFound`, an msal error code… */
  vendorCode: Schema.optional(Schema.String),
  /** The vendor's message, redacted and clipped. */
  vendorMessage: Schema.optional(Schema.String),
  /** What to do about it. */
  remedy: Schema.String,
}

interface Described {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly status?: number | undefined
  readonly requestId?: string | undefined
  readonly vendorCode?: string | undefined
  readonly vendorMessage?: string | undefined
  readonly remedy: string
}

const describe = (e: Described, what: string): string => {
  const where = e.method === undefined || e.url === undefined ? "" : `${e.method} ${e.url} → `
  const vendor = [
    e.status === undefined ? undefined : String(e.status),
    e.vendorCode === undefined ? undefined : `[${e.vendorCode}]`,
    e.vendorMessage,
  ]
    .filter(Predicate.isNotUndefined)
    .join(" ")
  const id = e.requestId === undefined ? "" : ` [request id ${e.requestId}]`
  return `${where}${what}${vendor === "" ? "" : ` (${vendor})`}${id} — ${e.remedy}`
}

/**
 * Microsoft Entra had not replicated a new object or secret within the budget: a read, update,
 * `addPassword` or service-principal create kept answering "not found", or the token endpoint kept
 * refusing a new secret. Microsoft documents no bound; sn365 waited `waitedMs`.
 *
 * @example
 * ```ts
 * apps.confirmSecret(input).pipe(Effect.catchTag("ReplicationLag", (e) => Effect.logWarning(e.message)))
 * ```
 */
export class ReplicationLag extends Schema.TaggedError<ReplicationLag>()("ReplicationLag", {
  ...Context,
  /** What was waited for: `addPassword`, `ensureServicePrincipal`, `confirmSecret`… */
  operation: Schema.String,
  /** The object: an object id, client id or unique name. */
  target: Schema.String,
  /** How long sn365 waited, in ms. */
  waitedMs: Schema.Number,
}) {
  override get message(): string {
    return describe(
      this,
      `${this.operation} ${this.target}: still not replicated in Microsoft Entra after ${(this.waitedMs / 1000).toFixed(1)} s`,
    )
  }
}

/** A tenant app-management policy refused the secret's lifetime. */
export class SecretLifetimePolicy extends Schema.TaggedError<SecretLifetimePolicy>()("SecretLifetimePolicy", {
  ...Context,
  /** The application's object id. */
  application: Schema.String,
  /** The end date that was asked for. */
  requestedEndDateTime: Schema.String,
  /** The policy named in Microsoft's message, when it names one. */
  policyId: Schema.optional(Schema.String),
}) {
  override get message(): string {
    const policy = this.policyId === undefined ? "" : ` (policy ${this.policyId})`
    return describe(
      this,
      `a secret ending ${this.requestedEndDateTime} exceeds the tenant's maximum secret lifetime${policy}`,
    )
  }
}

/** The token endpoint refused the client credential: a wrong, expired or not-yet-replicated secret, or a certificate it does not know. */
export class InvalidClientCredential extends Schema.TaggedError<InvalidClientCredential>()(
  "InvalidClientCredential",
  {
    ...Context,
    tenant: Schema.String,
    clientId: Schema.String,
    credentialType: Schema.Literals(["clientSecret", "certificate"]),
    /** The secret has expired (AADSTS7000222). */
    expired: Schema.Boolean,
  },
) {
  override get message(): string {
    const what = this.expired ? "expired" : "invalid"
    const kind = this.credentialType === "clientSecret" ? "client secret" : "certificate"
    return describe(this, `the ${kind} of application ${this.clientId} is ${what} (tenant ${this.tenant})`)
  }
}

/** No such application: Graph answered 404 for it, or the token endpoint does not know the client id (AADSTS700016). */
export class ApplicationNotFound extends Schema.TaggedError<ApplicationNotFound>()("ApplicationNotFound", {
  ...Context,
  /** The object id, client id or unique name that was looked for. */
  application: Schema.String,
  tenant: Schema.optional(Schema.String),
}) {
  override get message(): string {
    const tenant = this.tenant === undefined ? "" : ` in tenant ${this.tenant}`
    return describe(this, `application ${this.application} not found${tenant}`)
  }
}

/** The tenant id or domain is unknown to the identity platform (AADSTS90002). */
export class TenantNotFound extends Schema.TaggedError<TenantNotFound>()("TenantNotFound", {
  ...Context,
  tenant: Schema.String,
}) {
  override get message(): string {
    return describe(this, `tenant ${this.tenant} not found`)
  }
}

/** The application has no service principal in the tenant, so it cannot get app-only tokens (AADSTS7000229). */
export class ServicePrincipalMissing extends Schema.TaggedError<ServicePrincipalMissing>()(
  "ServicePrincipalMissing",
  {
    ...Context,
    tenant: Schema.String,
    clientId: Schema.String,
  },
) {
  override get message(): string {
    return describe(this, `application ${this.clientId} has no service principal in tenant ${this.tenant}`)
  }
}

/** Graph or the admin center refused the caller: a permission or directory role is missing. */
export class InsufficientPrivileges extends Schema.TaggedError<InsufficientPrivileges>()(
  "InsufficientPrivileges",
  {
    ...Context,
    /** The permission that would allow the call. */
    requiredPermission: Schema.String,
  },
) {
  override get message(): string {
    return describe(this, `insufficient privileges (needs ${this.requiredPermission})`)
  }
}

/** Any other refusal by the identity platform or msal (invalid scope, consent, configuration…). */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()("AuthenticationFailed", {
  ...Context,
  /** Absent for a user-provided token provider. */
  tenant: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String),
}) {
  override get message(): string {
    const app = this.clientId === undefined ? "" : ` of application ${this.clientId}`
    const tenant = this.tenant === undefined ? "" : ` to tenant ${this.tenant}`
    return describe(this, `sign-in${app}${tenant} failed`)
  }
}

/** Why a device-code sign-in did not complete. */
export const DeviceCodeFailure = Schema.Literals(["declined", "expired", "timeout", "badCode", "noPrompt"])
/** {@link DeviceCodeFailure} as a type. */
export type DeviceCodeFailure = typeof DeviceCodeFailure.Type

/** The administrator's device-code sign-in did not complete. */
export class DeviceCodeSignInFailed extends Schema.TaggedError<DeviceCodeSignInFailed>()(
  "DeviceCodeSignInFailed",
  {
    ...Context,
    tenant: Schema.String,
    clientId: Schema.String,
    reason: DeviceCodeFailure,
  },
) {
  override get message(): string {
    return describe(this, `device-code sign-in to tenant ${this.tenant} did not complete: ${this.reason}`)
  }
}

/**
 * The admin-center form needs values sn365 was not given: it never returns secrets, so every save
 * needs them again (and the manual hand-off cannot read any current value).
 */
export class RepositoryFieldsRequired extends Schema.TaggedError<RepositoryFieldsRequired>()(
  "RepositoryFieldsRequired",
  {
    /** The repository id. */
    repository: Schema.String,
    /** The missing fields, as `RepositoryInput` names them. */
    missing: Schema.Array(Schema.String),
    remedy: Schema.String,
  },
) {
  override get message(): string {
    return `repository ${this.repository}: ${this.missing.join(", ")} must be given again — ${this.remedy}`
  }
}

/** An administrator did not confirm a manual step, or the hand-off itself failed. */
export class ManualStepIncomplete extends Schema.TaggedError<ManualStepIncomplete>()("ManualStepIncomplete", {
  /** The procedure step: `M1`, `M2`. */
  step: Schema.String,
  title: Schema.String,
  reason: Schema.Literals(["declined", "failed"]),
  /** What the hand-off failed with, redacted. */
  detail: Schema.optional(Schema.String),
  remedy: Schema.String,
}) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : `: ${this.detail}`
    return `${this.step} ${this.title}: the manual step was ${this.reason === "declined" ? "not confirmed" : "not completed"}${detail} — ${this.remedy}`
  }
}

/** The Microsoft-specific errors of this package. */
export type M365SpecificError =
  | ReplicationLag
  | SecretLifetimePolicy
  | InvalidClientCredential
  | ApplicationNotFound
  | TenantNotFound
  | ServicePrincipalMissing
  | InsufficientPrivileges
  | AuthenticationFailed
  | DeviceCodeSignInFailed
  | RepositoryFieldsRequired
  | ManualStepIncomplete

/** Every error an @sn365/m365 operation fails with. */
export type M365Error = HttpError | M365SpecificError

const SPECIFIC = [
  ReplicationLag,
  SecretLifetimePolicy,
  InvalidClientCredential,
  ApplicationNotFound,
  TenantNotFound,
  ServicePrincipalMissing,
  InsufficientPrivileges,
  AuthenticationFailed,
  DeviceCodeSignInFailed,
  RepositoryFieldsRequired,
  ManualStepIncomplete,
] as const

/**
 * Whether a value is an {@link M365Error} (core's HTTP family included).
 *
 * @example
 * ```ts
 * try { await promiseApi(apps).get(id) } catch (e) { if (isM365Error(e)) console.error(e._tag, e.message) }
 * ```
 */
export const isM365Error = (u: unknown): u is M365Error =>
  isHttpError(u) || SPECIFIC.some((cls) => u instanceof cls)
