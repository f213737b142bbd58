/**
 * What the emulated Microsoft tenants contain at start (and after `reset()`): by default one
 * tenant, "Contoso", with a setup application that holds Graph `Application.ReadWrite.All` and the
 * modeled support-integration permission, a least-privilege one with
 * `Application.ReadWrite.OwnedBy`, a public client for the device-code flow, an administrator and
 * an ordinary user. Every value here is emulator test data, not a real credential.
 *
 * @module
 */
import {
  ADMIN_RESOURCE,
  APPLICATION_READWRITE_ALL,
  APPLICATION_READWRITE_OWNEDBY,
  GRAPH_RESOURCE,
  SUPPORT_INTEGRATION_PERMISSION,
} from "./vendor.ts"

/** An application registered at start, with its service principal unless told otherwise. */
export interface AppSeed {
  readonly appId: string
  readonly displayName: string
  /** A client secret the tests know (valid for 2 years from the emulator's start). */
  readonly secret?: string
  /** A public client (device-code flow); sets `isFallbackPublicClient`. */
  readonly publicClient?: boolean
  /** Create the service principal too. Default `true`. */
  readonly servicePrincipal?: boolean
  /** App roles granted to its service principal, per resource (`https://graph.microsoft.com`…). */
  readonly appRoles?: Readonly<Record<string, ReadonlyArray<string>>>
}

/** A user who can sign in with the device-code flow. */
export interface UserSeed {
  readonly userPrincipalName: string
  readonly displayName?: string
  /** Directory roles, e.g. `Global Administrator`. */
  readonly roles?: ReadonlyArray<string>
}

/** A tenant: its id (a GUID) and its domains; both address it on the token endpoints. */
export interface TenantSeed {
  readonly id: string
  /** Verified domains, the first being the default, e.g. `contoso.onmicrosoft.com`. */
  readonly domains: ReadonlyArray<string>
  readonly displayName?: string
  readonly apps?: ReadonlyArray<AppSeed>
  readonly users?: ReadonlyArray<UserSeed>
}

/** The default tenant's id. */
export const DEFAULT_TENANT_ID = "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365"
/** The default tenant's domain. */
export const DEFAULT_TENANT_DOMAIN = "contoso.onmicrosoft.com"

/** The setup application: Graph `Application.ReadWrite.All` + support-integration access. */
export const DEFAULT_ADMIN_APP = {
  appId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365001",
  displayName: "sn365 setup (emulator)",
  secret: "sn365~emulator.admin-secret.0000000000001",
  appRoles: {
    [GRAPH_RESOURCE]: [APPLICATION_READWRITE_ALL],
    [ADMIN_RESOURCE]: [SUPPORT_INTEGRATION_PERMISSION],
  },
} as const satisfies AppSeed

/** A least-privilege setup application: Graph `Application.ReadWrite.OwnedBy` only. */
export const DEFAULT_OWNEDBY_APP = {
  appId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365002",
  displayName: "sn365 setup, owned apps only (emulator)",
  secret: "sn365~emulator.ownedby-secret.00000000002",
  appRoles: { [GRAPH_RESOURCE]: [APPLICATION_READWRITE_OWNEDBY] },
} as const satisfies AppSeed

/** A public client for the device-code flow (no secret). */
export const DEFAULT_PUBLIC_CLIENT = {
  appId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365003",
  displayName: "sn365 CLI (emulator)",
  publicClient: true,
} as const satisfies AppSeed

/** A Global Administrator. */
export const DEFAULT_ADMIN_USER = {
  userPrincipalName: `admin@${DEFAULT_TENANT_DOMAIN}`,
  displayName: "Contoso Admin",
  roles: ["Global Administrator"],
} as const satisfies UserSeed

/** A user without any directory role. */
export const DEFAULT_USER = {
  userPrincipalName: `user@${DEFAULT_TENANT_DOMAIN}`,
  displayName: "Contoso User",
  roles: [],
} as const satisfies UserSeed

/** The tenant the emulator starts with when `microsoft.tenants` is not given. */
export const DEFAULT_TENANT: TenantSeed = {
  id: DEFAULT_TENANT_ID,
  domains: [DEFAULT_TENANT_DOMAIN],
  displayName: "Contoso",
  apps: [DEFAULT_ADMIN_APP, DEFAULT_OWNEDBY_APP, DEFAULT_PUBLIC_CLIENT],
  users: [DEFAULT_ADMIN_USER, DEFAULT_USER],
}
