/**
 * How `sn365 emulator` and `sn365 demo` seed the emulator, and the identities they print and sign
 * in with. All of it is emulator test data, not credentials of any real system.
 *
 * @module
 */
import type { Emulator, EmulatorOptions } from "@sn365/emulator"

/** The ServiceNow instance the emulator creates at start (any other name is created on first use). */
export const EMULATOR_INSTANCE = "dev365"

/**
 * The ServiceNow side's seed: the default administrator, holding `snc_basic_auth_api_access` so
 * Basic authentication passes the instance's Basic-auth gate (as an administrator would arrange
 * before running sn365; docs/servicenow-api.md §2.6).
 */
export const EMULATOR_SERVICENOW = {
  instances: [EMULATOR_INSTANCE],
  adminUserName: "admin",
  adminPassword: "admin",
  adminBasicAuthApiAccess: true,
} as const satisfies EmulatorOptions["servicenow"]

/** A non-admin user the emulator seeds on every instance (emulator `servicenow/seed.ts`, ITIL_USER). */
const ITIL_USER_NAME = "itil"

/** What a configuration needs to run against the emulator. */
export interface EmulatorIdentities {
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

/** The seeded identities of an emulator started with {@link EMULATOR_SERVICENOW}. */
export const emulatorIdentities = (emulator: Emulator): EmulatorIdentities => {
  const microsoft = emulator.microsoft.defaults
  return {
    instance: EMULATOR_INSTANCE,
    servicenowUser: EMULATOR_SERVICENOW.adminUserName,
    servicenowPassword: EMULATOR_SERVICENOW.adminPassword,
    tenant: microsoft.tenantDomain,
    tenantId: microsoft.tenantId,
    entraClientId: microsoft.adminApp.appId,
    entraClientSecret: microsoft.adminApp.secret,
    publicClientId: microsoft.publicClient.appId,
    adminEmail: microsoft.adminUser,
    insightsUser: ITIL_USER_NAME,
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
