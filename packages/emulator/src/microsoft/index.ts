/**
 * The emulated Microsoft side: the Entra token service (`login.microsoftonline.com`), Microsoft
 * Graph (`graph.microsoft.com`) and the MODELED admin-center support integration
 * (`admin.microsoft.com/modeled/supportIntegration/v1`), sharing one directory of tenants,
 * applications, service principals, secrets and users, and controlled by {@link MicrosoftControl}.
 *
 * @module
 */
import type { KeyObject } from "node:crypto"
import type { EmulatedSystem, SystemContext } from "../server/system.ts"
import { createAdmin } from "./admin.ts"
import { renderApplication } from "./applications.ts"
import { makeDeviceCodes } from "./deviceCodes.ts"
import {
  applicationByAppId,
  applicationByUniqueName,
  hashSecret,
  makeDirectory,
  type ReplicationLag,
  seedTenants,
  servicePrincipalByAppId,
  type TenantState,
  userByName,
} from "./directory.ts"
import { createGraph, type GraphThrottle, type WriteQuota } from "./graph.ts"
import { publicKeyFrom } from "./jwt.ts"
import { createLogin } from "./login.ts"
import {
  DEFAULT_ADMIN_APP,
  DEFAULT_ADMIN_USER,
  DEFAULT_OWNEDBY_APP,
  DEFAULT_PUBLIC_CLIENT,
  DEFAULT_TENANT,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  DEFAULT_USER,
  type TenantSeed,
} from "./seed.ts"
import { renderServicePrincipal } from "./servicePrincipals.ts"
import { DEFAULT_SECRET_LIFETIME_MS, DEVICE_CODE_INTERVAL_SECONDS, GRAPH_WRITE_QUOTA } from "./vendor.ts"

export type { AppSeed, TenantSeed, UserSeed } from "./seed.ts"
export type { GraphThrottle, ReplicationLag, WriteQuota }

/** Options for the emulated Microsoft services. Everything is optional. */
export interface MicrosoftOptions {
  /** The tenants at start. Default: one tenant, Contoso (see {@link MicrosoftControl.defaults}). */
  readonly tenants?: ReadonlyArray<TenantSeed>
  /** Replication-lag windows at start (ms of emulator time). Default: none. */
  readonly replicationLag?: Partial<ReplicationLag>
  /** The `interval` the device-code endpoint announces, seconds. Default 5 (use 0 or 1 in tests). */
  readonly deviceCodeIntervalSeconds?: number
  /** Graph's per-application write quota; `null` disables it. Default 3,000 writes / 150 s. */
  readonly graphWriteQuota?: WriteQuota | null
}

/** A certificate (or bare public key) for certificate client assertions. */
export interface CertificateRegistration {
  /** The public key (PEM, DER SPKI or a `KeyObject`). */
  readonly publicKey: string | Buffer | KeyObject
  /** Hex SHA-1 thumbprint msal sends as `x5t` (with `clientCertificate.thumbprint`). */
  readonly thumbprint?: string
  /** Hex SHA-256 thumbprint msal sends as `x5t#S256` (with `clientCertificate.thumbprintSha256`). */
  readonly thumbprintSha256?: string
  readonly displayName?: string
  /** Validity, ms since the epoch. Default: from now for two years. */
  readonly startMs?: number
  readonly endMs?: number
}

/** The seeded identities of the default tenant — emulator test data, not real credentials. */
export interface MicrosoftDefaults {
  readonly tenantId: string
  readonly tenantDomain: string
  /** Holds Graph `Application.ReadWrite.All` and the (modeled) `SupportIntegration.ReadWrite.All`. */
  readonly adminApp: { readonly appId: string; readonly secret: string }
  /** Holds Graph `Application.ReadWrite.OwnedBy` only. */
  readonly ownedByApp: { readonly appId: string; readonly secret: string }
  /** A public client for the device-code flow. */
  readonly publicClient: { readonly appId: string }
  /** A Global Administrator. */
  readonly adminUser: string
  /** A user without directory roles. */
  readonly user: string
}

/** A device code waiting for (or past) the user's decision. */
export interface DeviceCodeInfo {
  readonly userCode: string
  readonly clientId: string
  readonly tenantId: string
  readonly scopes: ReadonlyArray<string>
  readonly status: "pending" | "approved" | "declined"
}

/** Run-time control and state inspection of the emulated Microsoft services. */
export interface MicrosoftControl {
  /** The default tenant's seeded identities (used when `microsoft.tenants` is not given). */
  readonly defaults: MicrosoftDefaults
  /** Every tenant: id, domains and display name. */
  readonly tenants: () => ReadonlyArray<{
    readonly id: string
    readonly domains: ReadonlyArray<string>
    readonly displayName: string
  }>
  /** Adds a tenant at run time (it is gone after `reset()` unless it was in the options). */
  readonly addTenant: (seed: TenantSeed) => void
  /** Applications as Graph returns them (never a secret's text). `tenant`: id or domain, default the first. */
  readonly applications: (tenant?: string) => ReadonlyArray<Record<string, unknown>>
  /** One application by client id or unique name. */
  readonly application: (appIdOrUniqueName: string, tenant?: string) => Record<string, unknown> | undefined
  /** Service principals as Graph returns them. */
  readonly servicePrincipals: (tenant?: string) => ReadonlyArray<Record<string, unknown>>
  /** Whether `secretText` is a current (unexpired, started) secret of the application. Test-only. */
  readonly isSecretValid: (appId: string, secretText: string, tenant?: string) => boolean
  /** Grants app roles on a resource (`https://graph.microsoft.com`, `https://admin.microsoft.com`, an appId) to an app's service principal. */
  readonly grantAppRoles: (
    appId: string,
    resource: string,
    roles: ReadonlyArray<string>,
    tenant?: string,
  ) => void
  /** Registers a certificate for client assertions; returns its `keyId`. */
  readonly registerCertificate: (
    appId: string,
    certificate: CertificateRegistration,
    tenant?: string,
  ) => string
  /** Changes the replication-lag windows (ms of emulator time; `0` disables). */
  readonly setReplicationLag: (lag: Partial<ReplicationLag>) => void
  readonly replicationLag: () => ReplicationLag
  /** Starts a Graph 429 storm; returns a function that ends it. */
  readonly throttleGraph: (rule?: GraphThrottle) => () => void
  /** Changes Graph's write quota; `undefined` removes it. */
  readonly setGraphWriteQuota: (quota: WriteQuota | undefined) => void
  /**
   * Caps secret lifetime like a tenant app-management policy: addPassword beyond it answers 400
   * `CredentialInvalidLifetimeAsPerAppPolicy`. `undefined` removes the policy.
   */
  readonly setSecretLifetimePolicy: (
    policy: { readonly maxLifetimeMs: number; readonly policyId?: string } | undefined,
    tenant?: string,
  ) => void
  /** Device codes issued so far. */
  readonly deviceCodes: () => ReadonlyArray<DeviceCodeInfo>
  /** Signs `userPrincipalName` in for a pending device code (by user code). */
  readonly approveDeviceCode: (userCode: string, userPrincipalName: string) => void
  /**
   * Declines a pending device code: the next poll gets `authorization_declined` (Microsoft's
   * documented value, the default) or RFC 8628's `access_denied`.
   */
  readonly declineDeviceCode: (userCode: string, error?: "authorization_declined" | "access_denied") => void
  /** The support-integration form of a tenant (modeled), secrets reported only as configured. */
  readonly supportIntegration: (tenant?: string) => {
    readonly basicInformation: Record<string, unknown>
    readonly repositories: ReadonlyArray<Record<string, unknown>>
  }
  /** Whether a repository's stored secret equals `value`. Test-only. */
  readonly isRepositorySecretValid: (
    repository: string,
    field: "clientSecret" | "restUserPassword",
    value: string,
    tenant?: string,
  ) => boolean
}

const DEFAULTS: MicrosoftDefaults = {
  tenantId: DEFAULT_TENANT_ID,
  tenantDomain: DEFAULT_TENANT_DOMAIN,
  adminApp: { appId: DEFAULT_ADMIN_APP.appId, secret: DEFAULT_ADMIN_APP.secret },
  ownedByApp: { appId: DEFAULT_OWNEDBY_APP.appId, secret: DEFAULT_OWNEDBY_APP.secret },
  publicClient: { appId: DEFAULT_PUBLIC_CLIENT.appId },
  adminUser: DEFAULT_ADMIN_USER.userPrincipalName,
  user: DEFAULT_USER.userPrincipalName,
}

/** @internal */
export const createMicrosoft = (
  context: SystemContext,
  options: MicrosoftOptions = {},
): { readonly systems: ReadonlyArray<EmulatedSystem>; readonly control: MicrosoftControl } => {
  const { random, clock } = context
  const seeds = options.tenants ?? [DEFAULT_TENANT]
  const initialLag: ReplicationLag = { objectsMs: 0, secretsMs: 0, ...options.replicationLag }
  const initialQuota =
    options.graphWriteQuota === null ? undefined : (options.graphWriteQuota ?? GRAPH_WRITE_QUOTA)
  const directory = makeDirectory(seeds, clock, initialLag)
  const deviceCodes = makeDeviceCodes(random)
  const interval = options.deviceCodeIntervalSeconds ?? DEVICE_CODE_INTERVAL_SECONDS

  const loginSystem = createLogin({ directory, random, deviceCodes, deviceCodeInterval: () => interval })
  const graph = createGraph({ directory, random })
  graph.setWriteQuota(initialQuota)
  const admin = createAdmin({ directory, random })

  const tenantOf = (name?: string): TenantState => {
    const tenant = name === undefined ? directory.tenants.values().next().value : directory.tenant(name)
    if (tenant === undefined) throw new Error(`microsoft: no tenant '${name ?? "(default)"}'`)
    return tenant
  }
  const appOf = (tenant: TenantState, key: string) => {
    const app = applicationByAppId(tenant, key) ?? applicationByUniqueName(tenant, key)
    if (app === undefined) throw new Error(`microsoft: no application '${key}' in tenant ${tenant.id}`)
    return app
  }
  const pending = (userCode: string) => {
    const state = deviceCodes.byUserCode(userCode)
    if (state === undefined) throw new Error(`microsoft: no device code with user code '${userCode}'`)
    if (state.status.kind !== "pending")
      throw new Error(`microsoft: device code '${userCode}' is already ${state.status.kind}`)
    return state
  }

  const resetAll = () => {
    directory.tenants = seedTenants(seeds, clock.now())
    directory.lag = initialLag
    deviceCodes.clear()
    graph.setWriteQuota(initialQuota)
  }

  const graphSnapshot = () =>
    Object.fromEntries(
      [...directory.tenants.values()].map((tenant) => [
        tenant.id,
        {
          applications: [...tenant.applications.values()].map((app) => renderApplication(tenant, app)),
          servicePrincipals: [...tenant.servicePrincipals.values()].map(renderServicePrincipal),
          deletedApplications: [...tenant.deletedApplications.keys()],
          lifetimePolicy: tenant.lifetimePolicy ?? null,
        },
      ]),
    )

  const systems: ReadonlyArray<EmulatedSystem> = [
    {
      ...loginSystem,
      reset: () => {
        loginSystem.reset()
        resetAll()
      },
    },
    {
      ...graph.system,
      snapshot: () => ({
        ...(graph.system.snapshot() as object),
        tenants: graphSnapshot(),
        replicationLag: directory.lag,
      }),
    },
    {
      ...admin.system,
      snapshot: () =>
        Object.fromEntries(
          [...directory.tenants.values()].map((tenant) => [
            tenant.id,
            {
              basicInformation: admin.renderBasic(tenant),
              repositories: [...tenant.support.repositories.values()].map(admin.renderRepository),
            },
          ]),
        ),
    },
  ]

  const control: MicrosoftControl = {
    defaults: DEFAULTS,
    tenants: () =>
      [...directory.tenants.values()].map((t) => ({
        id: t.id,
        domains: t.domains,
        displayName: t.displayName,
      })),
    addTenant: (seed) => {
      for (const [id, tenant] of seedTenants([seed], clock.now())) directory.tenants.set(id, tenant)
    },
    applications: (tenant) => {
      const t = tenantOf(tenant)
      return [...t.applications.values()].map((app) => renderApplication(t, app))
    },
    application: (key, tenant) => {
      const t = tenantOf(tenant)
      const app = applicationByAppId(t, key) ?? applicationByUniqueName(t, key)
      return app === undefined ? undefined : renderApplication(t, app)
    },
    servicePrincipals: (tenant) =>
      [...tenantOf(tenant).servicePrincipals.values()].map(renderServicePrincipal),
    isSecretValid: (appId, secretText, tenant) => {
      const app = applicationByAppId(tenantOf(tenant), appId)
      const now = clock.now()
      const hash = hashSecret(secretText)
      return app?.passwords.some((p) => p.hash === hash && now >= p.startMs && now < p.endMs) ?? false
    },
    grantAppRoles: (appId, resource, roles, tenant) => {
      const t = tenantOf(tenant)
      const sp = servicePrincipalByAppId(t, appId)
      if (sp === undefined)
        throw new Error(`microsoft: application ${appId} has no service principal in ${t.id}`)
      const granted = sp.appRoles.get(resource) ?? new Set<string>()
      for (const role of roles) granted.add(role)
      sp.appRoles.set(resource, granted)
    },
    registerCertificate: (appId, certificate, tenant) => {
      const app = appOf(tenantOf(tenant), appId)
      const publicKey = publicKeyFrom(certificate.publicKey)
      if (publicKey === undefined) throw new Error("microsoft: unreadable public key")
      const keyId = random.guid()
      const startMs = certificate.startMs ?? clock.now()
      app.keys.push({
        keyId,
        displayName: certificate.displayName ?? null,
        type: "AsymmetricX509Cert",
        usage: "Verify",
        startMs,
        endMs: certificate.endMs ?? startMs + DEFAULT_SECRET_LIFETIME_MS,
        thumbprintSha1: certificate.thumbprint?.toUpperCase(),
        thumbprintSha256: certificate.thumbprintSha256?.toUpperCase(),
        customKeyIdentifier:
          certificate.thumbprint === undefined
            ? null
            : Buffer.from(certificate.thumbprint, "hex").toString("base64"),
        publicKey,
      })
      return keyId
    },
    setReplicationLag: (lag) => {
      directory.lag = { ...directory.lag, ...lag }
    },
    replicationLag: () => directory.lag,
    throttleGraph: (rule = {}) => graph.throttle(rule),
    setGraphWriteQuota: (quota) => graph.setWriteQuota(quota),
    setSecretLifetimePolicy: (policy, tenant) => {
      tenantOf(tenant).lifetimePolicy =
        policy === undefined
          ? undefined
          : { maxLifetimeMs: policy.maxLifetimeMs, policyId: policy.policyId ?? random.guid() }
    },
    deviceCodes: () =>
      deviceCodes.all().map((d) => ({
        userCode: d.userCode,
        clientId: d.clientId,
        tenantId: d.tenantId,
        scopes: d.scopes,
        status: d.status.kind,
      })),
    approveDeviceCode: (userCode, userPrincipalName) => {
      const state = pending(userCode)
      const tenant = tenantOf(state.tenantId)
      const user = userByName(tenant, userPrincipalName)
      if (user === undefined)
        throw new Error(`microsoft: no user '${userPrincipalName}' in tenant ${tenant.id}`)
      state.status = { kind: "approved", userId: user.id }
    },
    declineDeviceCode: (userCode, error = "authorization_declined") => {
      pending(userCode).status = { kind: "declined", error }
    },
    supportIntegration: (tenant) => {
      const t = tenantOf(tenant)
      return {
        basicInformation: admin.renderBasic(t),
        repositories: [...t.support.repositories.values()].map(admin.renderRepository),
      }
    },
    isRepositorySecretValid: (repository, field, value, tenant) => {
      const stored = tenantOf(tenant).support.repositories.get(repository)
      if (stored === undefined) return false
      return (
        (field === "clientSecret" ? stored.clientSecretHash : stored.restUserPasswordHash) ===
        hashSecret(value)
      )
    },
  }

  return { systems, control }
}
