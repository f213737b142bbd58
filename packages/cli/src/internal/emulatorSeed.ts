/**
 * The identities the emulator is seeded with, as `sn365 emulator` prints them and `sn365 demo`
 * signs in with. They are emulator test data, not credentials of any real system.
 *
 * The emulator publishes the Microsoft side as `emulator.microsoft.defaults`; the ServiceNow side
 * does not publish its seeded instance and administrator yet, so the documented defaults of its
 * seed (`admin`/`admin`) are used. This module is the one place to change when it does.
 *
 * @module
 */
import type { Emulator } from "@sn365/emulator"

/** What a configuration needs to run against the emulator. */
export interface EmulatorIdentities {
  /** A ServiceNow instance name the emulator serves. */
  readonly instance: string
  readonly servicenowUser: string
  readonly servicenowPassword: string
  /** The default tenant's domain and id. */
  readonly tenant: string
  readonly tenantId: string
  /** An app with Graph Application.ReadWrite.All and the (modeled) support-integration permission. */
  readonly entraClientId: string
  readonly entraClientSecret: string
  /** A public client for the device-code flow. */
  readonly publicClientId: string
  /** A Global Administrator of the tenant. */
  readonly adminEmail: string
  /** A non-admin ServiceNow user to grant the insights role to. */
  readonly insightsUser: string
}

interface MicrosoftDefaults {
  readonly tenantId: string
  readonly tenantDomain: string
  readonly adminApp: { readonly appId: string; readonly secret: string }
  readonly publicClient: { readonly appId: string }
  readonly adminUser: string
}

interface ServiceNowDefaults {
  readonly instance?: string
  readonly adminUserName?: string
  readonly adminPassword?: string
}

// Fallbacks: the emulator's documented default seed (packages/emulator/src/*/seed.ts).
const FALLBACK = {
  instance: "dev365",
  servicenowUser: "admin",
  servicenowPassword: "admin",
  insightsUser: "itil",
  tenantId: "9c7a4e2b-3650-4d1f-8a65-5e0c1f365365",
  tenantDomain: "contoso.onmicrosoft.com",
  adminApp: {
    appId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365001",
    secret: "sn365~emulator.admin-secret.0000000000001",
  },
  publicClient: { appId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365003" },
  adminUser: "admin@contoso.onmicrosoft.com",
} as const

/** The seeded identities of a running emulator. */
export const emulatorIdentities = (emulator: Emulator): EmulatorIdentities => {
  const microsoft: MicrosoftDefaults =
    (emulator.microsoft as unknown as { readonly defaults?: MicrosoftDefaults }).defaults ?? FALLBACK
  const servicenow: ServiceNowDefaults =
    (emulator.servicenow as unknown as { readonly defaults?: ServiceNowDefaults }).defaults ?? {}
  return {
    instance: servicenow.instance ?? FALLBACK.instance,
    servicenowUser: servicenow.adminUserName ?? FALLBACK.servicenowUser,
    servicenowPassword: servicenow.adminPassword ?? FALLBACK.servicenowPassword,
    tenant: microsoft.tenantDomain,
    tenantId: microsoft.tenantId,
    entraClientId: microsoft.adminApp.appId,
    entraClientSecret: microsoft.adminApp.secret,
    publicClientId: microsoft.publicClient.appId,
    adminEmail: microsoft.adminUser,
    insightsUser: FALLBACK.insightsUser,
  }
}

/** The setup configuration input that runs against the emulator with its seeded identities. */
export const emulatorConfigInput = (identities: EmulatorIdentities) => ({
  variant: "basic" as const,
  servicenow: {
    instance: identities.instance,
    auth: {
      type: "basic" as const,
      username: identities.servicenowUser,
      password: identities.servicenowPassword,
    },
  },
  entra: {
    tenant: identities.tenant,
    auth: {
      type: "clientSecret" as const,
      clientId: identities.entraClientId,
      clientSecret: identities.entraClientSecret,
    },
  },
  microsoft365: { mode: "api" as const },
  integration: { m365AdminEmail: identities.adminEmail },
  roles: { insightsUsers: [identities.insightsUser] },
})
