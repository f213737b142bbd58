/**
 * The state of the emulated Entra tenants, shared by the token service, Graph and the admin
 * center: applications with their secrets and certificates, service principals with their granted
 * app roles, users, deleted items, the secret-lifetime policy and the support-integration form.
 * Plain data plus small helpers; the HTTP systems own the behaviour.
 *
 * @module
 */
import { createHash, type KeyObject } from "node:crypto"
import type { Clock } from "../server/system.ts"
import type { AppSeed, TenantSeed, UserSeed } from "./seed.ts"
import { DEFAULT_SECRET_LIFETIME_MS } from "./vendor.ts"

/** A client secret. Only a hash of its text is kept. */
export interface PasswordState {
  readonly keyId: string
  readonly displayName: string | null
  readonly hint: string
  readonly hash: string
  readonly startMs: number
  readonly endMs: number
  /** When it was added (emulator clock). */
  readonly createdMs: number
  /** When the token service starts accepting it (replication lag at the time it was added). */
  readonly replicatedMs: number
}

/** A certificate (or bare public key) registered for client assertions. */
export interface KeyState {
  readonly keyId: string
  readonly displayName: string | null
  readonly type: string
  readonly usage: string
  readonly startMs: number
  readonly endMs: number
  /** Upper-case hex SHA-1 thumbprint (`x5t`), when known. */
  readonly thumbprintSha1: string | undefined
  /** Upper-case hex SHA-256 thumbprint (`x5t#S256`), when known. */
  readonly thumbprintSha256: string | undefined
  readonly customKeyIdentifier: string | null
  readonly publicKey: KeyObject
}

/** An application registration. */
export interface ApplicationState {
  readonly id: string
  readonly appId: string
  readonly createdMs: number
  /** When reads and the token service start seeing it (replication lag at the time it was created). */
  readonly replicatedMs: number
  /** Writable properties as last written (`displayName`, `web`, `tags`, `uniqueName`…). */
  data: Record<string, unknown>
  passwords: Array<PasswordState>
  keys: Array<KeyState>
  /** Object ids of the owners (service principals or users). */
  readonly owners: Set<string>
  deletedMs?: number
}

/** A service principal. */
export interface ServicePrincipalState {
  readonly id: string
  readonly appId: string
  readonly createdMs: number
  /** When reads and the token service start seeing it. */
  readonly replicatedMs: number
  data: Record<string, unknown>
  readonly owners: Set<string>
  /** App roles granted to it, per resource (`https://graph.microsoft.com` → roles). */
  readonly appRoles: Map<string, Set<string>>
}

/** A user. */
export interface UserState {
  readonly id: string
  readonly userPrincipalName: string
  readonly displayName: string
  readonly roles: ReadonlyArray<string>
}

/** One repository of the support-integration form. Secrets are kept as hashes. */
export interface RepositoryState {
  readonly repository: string
  endpoint: string
  authenticationType: string
  clientId: string
  clientSecretHash: string
  refreshTokenExpiry: number
  restUsername: string
  restUserPasswordHash: string
  readonly createdMs: number
  lastModifiedMs: number
}

/** The support-integration form of one tenant (modeled). */
export interface SupportIntegrationState {
  internalSupportTool: string | null
  applicationId: string | null
  lastModifiedMs: number | null
  readonly repositories: Map<string, RepositoryState>
}

/** A tenant. */
export interface TenantState {
  readonly id: string
  readonly domains: ReadonlyArray<string>
  readonly displayName: string
  readonly applications: Map<string, ApplicationState>
  readonly servicePrincipals: Map<string, ServicePrincipalState>
  readonly users: Map<string, UserState>
  /** Soft-deleted applications, restorable for 30 days (not modeled beyond listing in snapshots). */
  readonly deletedApplications: Map<string, ApplicationState>
  /** App-management policy capping secret lifetime, when set. */
  lifetimePolicy: { readonly maxLifetimeMs: number; readonly policyId: string } | undefined
  readonly support: SupportIntegrationState
}

/** SHA-256 of a secret's text, hex: what the emulator stores instead of the text. */
export const hashSecret = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** A GUID derived from `text`, so seeded objects keep their ids across `reset()`. */
export const stableGuid = (text: string) => {
  const h = createHash("sha256").update(text).digest("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether `text` is a GUID. */
export const isGuid = (text: string) => GUID.test(text)

const seedApp = (tenant: TenantState, seed: AppSeed, startMs: number) => {
  const id = stableGuid(`${tenant.id}:application:${seed.appId}`)
  const app: ApplicationState = {
    id,
    appId: seed.appId,
    createdMs: 0,
    replicatedMs: 0,
    data: {
      displayName: seed.displayName,
      signInAudience: "AzureADMyOrg",
      ...(seed.publicClient === true ? { isFallbackPublicClient: true } : {}),
    },
    passwords:
      seed.secret === undefined
        ? []
        : [
            {
              keyId: stableGuid(`${tenant.id}:secret:${seed.appId}`),
              displayName: "seeded",
              hint: seed.secret.slice(0, 3),
              hash: hashSecret(seed.secret),
              startMs,
              endMs: startMs + DEFAULT_SECRET_LIFETIME_MS,
              createdMs: 0,
              replicatedMs: 0,
            },
          ],
    keys: [],
    owners: new Set(),
  }
  tenant.applications.set(id, app)
  if (seed.servicePrincipal !== false) {
    const spId = stableGuid(`${tenant.id}:servicePrincipal:${seed.appId}`)
    tenant.servicePrincipals.set(spId, {
      id: spId,
      appId: seed.appId,
      createdMs: 0,
      replicatedMs: 0,
      data: { displayName: seed.displayName, accountEnabled: true },
      owners: new Set(),
      appRoles: new Map(
        Object.entries(seed.appRoles ?? {}).map(([resource, roles]) => [resource, new Set(roles)] as const),
      ),
    })
  }
}

const seedUser = (tenant: TenantState, seed: UserSeed) => {
  const id = stableGuid(`${tenant.id}:user:${seed.userPrincipalName.toLowerCase()}`)
  tenant.users.set(id, {
    id,
    userPrincipalName: seed.userPrincipalName,
    displayName: seed.displayName ?? seed.userPrincipalName,
    roles: seed.roles ?? [],
  })
}

/** Builds the seeded tenants. `startMs` is the emulator clock at (re)seeding. */
export const seedTenants = (seeds: ReadonlyArray<TenantSeed>, startMs: number): Map<string, TenantState> => {
  const tenants = new Map<string, TenantState>()
  for (const seed of seeds) {
    if (!isGuid(seed.id)) throw new Error(`microsoft: tenant id must be a GUID, got '${seed.id}'`)
    const tenant: TenantState = {
      id: seed.id.toLowerCase(),
      domains: seed.domains.map((d) => d.toLowerCase()),
      displayName: seed.displayName ?? seed.domains[0] ?? seed.id,
      applications: new Map(),
      servicePrincipals: new Map(),
      users: new Map(),
      deletedApplications: new Map(),
      lifetimePolicy: undefined,
      support: {
        internalSupportTool: null,
        applicationId: null,
        lastModifiedMs: null,
        repositories: new Map(),
      },
    }
    for (const app of seed.apps ?? []) seedApp(tenant, app, startMs)
    for (const user of seed.users ?? []) seedUser(tenant, user)
    tenants.set(tenant.id, tenant)
  }
  return tenants
}

/**
 * Replication-lag windows, milliseconds of emulator time; `0` disables each. A window applies to
 * the objects and secrets created while it is set, from their creation on.
 */
export interface ReplicationLag {
  /** After a create, reads/updates/addPassword of the new object answer 404, and SP creation for a new app fails. */
  readonly objectsMs: number
  /** After addPassword, the token endpoint rejects the new secret with AADSTS7000215. */
  readonly secretsMs: number
}

/** The whole Microsoft state plus the switches the systems consult. */
export interface Directory {
  tenants: Map<string, TenantState>
  readonly clock: Clock
  lag: ReplicationLag
  /** Finds a tenant by GUID or verified domain (case-insensitive). */
  readonly tenant: (idOrDomain: string) => TenantState | undefined
  /** When an object created now will have replicated. */
  readonly objectReplicatedAt: () => number
  /** When a secret added now will be accepted by the token service. */
  readonly secretReplicatedAt: () => number
  /** Whether something that replicates at `replicatedMs` is still replicating. */
  readonly replicating: (replicatedMs: number) => boolean
}

/** @internal */
export const makeDirectory = (
  seeds: ReadonlyArray<TenantSeed>,
  clock: Clock,
  lag: ReplicationLag,
): Directory => {
  const directory: Directory = {
    tenants: seedTenants(seeds, clock.now()),
    clock,
    lag,
    tenant: (idOrDomain) => {
      const key = idOrDomain.toLowerCase()
      const byId = directory.tenants.get(key)
      if (byId !== undefined) return byId
      for (const tenant of directory.tenants.values()) if (tenant.domains.includes(key)) return tenant
      return undefined
    },
    objectReplicatedAt: () => clock.now() + directory.lag.objectsMs,
    secretReplicatedAt: () => clock.now() + directory.lag.secretsMs,
    replicating: (replicatedMs) => clock.now() < replicatedMs,
  }
  return directory
}

/** The live (not deleted) application with this client id. */
export const applicationByAppId = (tenant: TenantState, appId: string) => {
  for (const app of tenant.applications.values())
    if (app.appId.toLowerCase() === appId.toLowerCase()) return app
  return undefined
}

/** The live application with this unique name (case-insensitive, derived). */
export const applicationByUniqueName = (tenant: TenantState, uniqueName: string) => {
  for (const app of tenant.applications.values()) {
    const name = app.data.uniqueName
    if (typeof name === "string" && name.toLowerCase() === uniqueName.toLowerCase()) return app
  }
  return undefined
}

/** The service principal of a client id in this tenant. */
export const servicePrincipalByAppId = (tenant: TenantState, appId: string) => {
  for (const sp of tenant.servicePrincipals.values())
    if (sp.appId.toLowerCase() === appId.toLowerCase()) return sp
  return undefined
}

/** The user with this user principal name (case-insensitive). */
export const userByName = (tenant: TenantState, userPrincipalName: string) => {
  for (const user of tenant.users.values()) {
    if (user.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase()) return user
  }
  return undefined
}

/** ISO 8601 UTC with milliseconds dropped, as Graph writes `createdDateTime`. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
