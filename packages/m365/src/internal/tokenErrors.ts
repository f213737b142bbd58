/**
 * msal's failures → the m365 error family. The AADSTS number (msal's `errorNo`) picks the error;
 * the HTTP details (method, redacted URL, status, request id, redacted message) come from the
 * failure core recorded in the network client, never from msal's message text.
 */
import { AuthError, ServerError } from "@azure/msal-node"
import { type HttpError, isTransient, redactText, type Secret, withRemedy } from "@sn365/core"
import {
  ApplicationNotFound,
  AuthenticationFailed,
  type DeviceCodeFailure,
  DeviceCodeSignInFailed,
  InvalidClientCredential,
  type M365Error,
  ServicePrincipalMissing,
  TenantNotFound,
} from "../Errors.ts"
import {
  AADSTS_APPLICATION_DISABLED,
  AADSTS_APPLICATION_NOT_FOUND,
  AADSTS_CONSENT_REQUIRED,
  AADSTS_EXPIRED_SECRET,
  AADSTS_INVALID_ASSERTION,
  AADSTS_INVALID_SCOPE,
  AADSTS_INVALID_SECRET,
  AADSTS_MISSING_CREDENTIAL,
  AADSTS_MISSING_SERVICE_PRINCIPAL,
  AADSTS_RESOURCE_NOT_FOUND,
  AADSTS_TENANT_NOT_FOUND,
  DEVICE_CODE_BAD_CODE,
  DEVICE_CODE_DECLINED,
  DEVICE_CODE_EXPIRED,
  LOGIN_HOST,
} from "../vendor.ts"
import { errorFields } from "./errorFields.ts"

/** Who was signing in, for the error. */
export interface TokenContext {
  readonly tenant: string
  readonly clientId: string
  readonly credentialType: "clientSecret" | "certificate" | "deviceCode"
  /** Clear texts to scrub from any message taken over. */
  readonly secrets: ReadonlyArray<Secret>
}

const REMEDY = {
  invalidSecret:
    "Use the client secret's value (not its ID) of this application; a secret added moments ago can take up to a minute to replicate.",
  expiredSecret: "The client secret has expired: add a new one to the application and use it.",
  certificate:
    "Register the certificate's public key on the application and configure its exact SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint with the matching unencrypted PEM private key.",
  missingCredential: "Configure a client secret or a certificate for the application.",
  applicationNotFound:
    "Check the client id and the tenant: the application must be registered in (or consented to by) this tenant; a new application can take a minute to replicate.",
  tenantNotFound: "Check the tenant: use its GUID or a verified domain such as contoso.onmicrosoft.com.",
  servicePrincipal:
    "Create the application's service principal (Entra admin center → Enterprise applications, or apps.ensureServicePrincipal) before requesting app-only tokens.",
  invalidScope: "Request a scope of the form '<resource>/.default'.",
  resourceNotFound:
    "The requested resource has no service principal in this tenant (the modeled https://admin.microsoft.com API exists only in the emulator).",
  consent: "Grant admin consent for the application's permissions in the tenant.",
  disabled: "Enable the application in the tenant (Enterprise applications → Properties).",
  transport: `Could not get an answer from ${LOGIN_HOST}: check the network, a proxy (pass a fetch that uses it) and the firewall.`,
  serviceFailing: `${LOGIN_HOST} kept failing or throttling beyond the retry budget; try again later.`,
  locallyThrottled:
    "msal refuses identical token requests for a while after the token service throttled or failed; wait a minute and try again.",
  other: "Check the Entra credential configuration: tenant, client id, and the client secret or certificate.",
} as const

const DEVICE_REMEDY: Record<DeviceCodeFailure, string> = {
  declined: "The sign-in was declined; run again and approve it.",
  expired: "The device code expired before the sign-in completed; run again and sign in within 15 minutes.",
  timeout: "The sign-in did not complete in time; run again and complete it sooner.",
  badCode: "The device code was not recognised; run again and enter the new code.",
  noPrompt:
    "Pass onDeviceCode to show the sign-in code to the administrator, or use a client secret or certificate.",
}

const remedyOfCode = (code: string | undefined, context: TokenContext): string => {
  switch (code) {
    case AADSTS_INVALID_SECRET:
      return context.credentialType === "certificate" ? REMEDY.certificate : REMEDY.invalidSecret
    case AADSTS_EXPIRED_SECRET:
      return REMEDY.expiredSecret
    case AADSTS_INVALID_ASSERTION:
      return REMEDY.certificate
    case AADSTS_MISSING_CREDENTIAL:
      return REMEDY.missingCredential
    case AADSTS_INVALID_SCOPE:
      return REMEDY.invalidScope
    case AADSTS_RESOURCE_NOT_FOUND:
      return REMEDY.resourceNotFound
    case AADSTS_CONSENT_REQUIRED:
      return REMEDY.consent
    case AADSTS_APPLICATION_DISABLED:
      return REMEDY.disabled
    default:
      return code === undefined || !/^\d+$/.test(code)
        ? REMEDY.other
        : `${REMEDY.other} Microsoft explains the code at https://${LOGIN_HOST}/error?code=${code}.`
  }
}

const deviceFailure = (error: AuthError): DeviceCodeFailure | undefined => {
  const text = `${error.errorCode} ${error.errorMessage}`
  if (text.includes(DEVICE_CODE_DECLINED)) return "declined"
  if (text.includes(DEVICE_CODE_EXPIRED) || error.errorCode === "device_code_expired") return "expired"
  if (text.includes(DEVICE_CODE_BAD_CODE)) return "badCode"
  if (error.errorCode === "user_timeout_reached") return "timeout"
  return undefined
}

/**
 * The m365 error for an msal failure. `recorded` is the last HTTP failure of the operation (from
 * the network client), `requests` how many requests it made.
 */
export const tokenError = (
  cause: unknown,
  recorded: HttpError | undefined,
  requests: number,
  context: TokenContext,
): M365Error => {
  const who = { tenant: context.tenant, clientId: context.clientId }
  if (!(cause instanceof AuthError)) {
    const text = cause instanceof Error ? cause.message : String(cause)
    return new AuthenticationFailed({
      ...who,
      vendorCode: cause instanceof Error ? cause.name : undefined,
      vendorMessage: redactText(text.slice(0, 300), context.secrets),
      remedy: context.credentialType === "certificate" ? REMEDY.certificate : REMEDY.other,
    })
  }
  const device = deviceFailure(cause)
  // No answer msal could read (network, timeout, HTML…), or 429/5xx still after core's retries.
  if (
    device === undefined &&
    recorded !== undefined &&
    (!(cause instanceof ServerError) || isTransient(recorded))
  ) {
    if (recorded.remedy !== undefined) return recorded
    // It answered, with an error: the network is not what to check.
    const answered = recorded._tag === "ServerError" || recorded._tag === "Throttled"
    return withRemedy(recorded, answered ? REMEDY.serviceFailing : REMEDY.transport)
  }
  const number =
    cause instanceof ServerError && cause.errorNo !== undefined ? String(cause.errorNo) : undefined
  const fields = {
    ...(recorded === undefined ? {} : errorFields(recorded)),
    ...(cause instanceof ServerError && cause.status !== undefined && recorded === undefined
      ? { status: cause.status }
      : {}),
    vendorCode: number === undefined ? cause.errorCode : `AADSTS${number}`,
  }
  if (device !== undefined) {
    return new DeviceCodeSignInFailed({ ...fields, ...who, reason: device, remedy: DEVICE_REMEDY[device] })
  }
  switch (number) {
    case AADSTS_INVALID_SECRET:
    case AADSTS_EXPIRED_SECRET:
    case AADSTS_INVALID_ASSERTION:
      return new InvalidClientCredential({
        ...fields,
        ...who,
        credentialType: context.credentialType === "certificate" ? "certificate" : "clientSecret",
        expired: number === AADSTS_EXPIRED_SECRET,
        remedy: remedyOfCode(number, context),
      })
    case AADSTS_APPLICATION_NOT_FOUND:
      return new ApplicationNotFound({
        ...fields,
        application: context.clientId,
        tenant: context.tenant,
        remedy: REMEDY.applicationNotFound,
      })
    case AADSTS_TENANT_NOT_FOUND:
      return new TenantNotFound({ ...fields, tenant: context.tenant, remedy: REMEDY.tenantNotFound })
    case AADSTS_MISSING_SERVICE_PRINCIPAL:
      return new ServicePrincipalMissing({ ...fields, ...who, remedy: REMEDY.servicePrincipal })
  }
  const locallyThrottled = cause instanceof ServerError && cause.status === undefined && requests === 0
  return new AuthenticationFailed({
    ...fields,
    ...who,
    remedy: locallyThrottled ? REMEDY.locallyThrottled : remedyOfCode(number ?? cause.errorCode, context),
  })
}

/** The error for a device-code sign-in that cannot even start. */
export const noDevicePrompt = (context: TokenContext): DeviceCodeSignInFailed =>
  new DeviceCodeSignInFailed({
    tenant: context.tenant,
    clientId: context.clientId,
    reason: "noPrompt",
    remedy: DEVICE_REMEDY.noPrompt,
  })
