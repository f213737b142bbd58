/**
 * The setup configuration the figures apply against the emulator's seeded tenant and instance.
 *
 * @module
 */
import type { Emulator } from "@sn365/emulator"
import { INSTANCE } from "./host.ts"

/** The seeded identities the configuration needs, as plain data (workers get it over IPC). */
export interface Identities {
  readonly tenant: string
  readonly adminAppId: string
  readonly adminAppSecret: string
  readonly adminUser: string
}

/** The seeded identities of `emulator`. */
export const identitiesOf = (emulator: Emulator): Identities => {
  const { tenantDomain, adminApp, adminUser } = emulator.microsoft.defaults
  return { tenant: tenantDomain, adminAppId: adminApp.appId, adminAppSecret: adminApp.secret, adminUser }
}

/** A Basic-variant configuration (the input `setupIntegration` decodes). */
export const setupConfig = (
  identities: Identities,
  roles: {
    readonly insightsUsers?: ReadonlyArray<string>
    readonly administrators?: ReadonlyArray<string>
  } = {},
) => ({
  variant: "basic",
  servicenow: { instance: INSTANCE, auth: { type: "basic", username: "admin", password: "admin" } },
  entra: {
    tenant: identities.tenant,
    auth: { type: "clientSecret", clientId: identities.adminAppId, clientSecret: identities.adminAppSecret },
  },
  integration: { m365AdminEmail: identities.adminUser },
  roles: {
    insightsUsers: roles.insightsUsers ?? ["itil"],
    administrators: roles.administrators ?? ["admin"],
  },
})
