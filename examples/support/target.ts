/**
 * Where the examples send their requests, decided from the environment — the same variables the
 * `sn365` command reads:
 *
 * - `SN365_EMULATOR_URL` set: an emulator you started with `sn365 emulator` (its seeded identities
 *   are the defaults below; `SN365_SERVICENOW_PASSWORD` and `SN365_ENTRA_CLIENT_SECRET` as it prints).
 * - `SN365_INSTANCE` set: your real ServiceNow instance and Entra tenant. Set `SN365_SERVICENOW_USERNAME`,
 *   `SN365_SERVICENOW_PASSWORD`, `SN365_TENANT`, `SN365_ENTRA_CLIENT_ID`, `SN365_ENTRA_CLIENT_SECRET`
 *   and `SN365_ADMIN_EMAIL` too.
 * - neither: an emulator started inside this process, which is gone when the script ends.
 */
import { type Fetch, routingFetch } from "@sn365/core"
import { startEmulator } from "@sn365/emulator"
import type { SetupConfigInput } from "@sn365/setup"

/** What an example talks to and signs in with. */
export interface Target {
  readonly kind: "in-process emulator" | "emulator" | "real services"
  /** Give it to every client. On real services it is the global fetch. */
  readonly fetch: Fetch
  /** ServiceNow instance name (`dev12345`) or https origin. */
  readonly instance: string
  readonly servicenowUser: string
  readonly servicenowPassword: string
  /** Entra tenant: GUID or verified domain. */
  readonly tenant: string
  /** The app sn365 signs in with (Graph `Application.ReadWrite.All` or `.OwnedBy`). */
  readonly entraClientId: string
  readonly entraClientSecret: string
  /** Microsoft 365 admin contacted when support cases are opened. */
  readonly adminEmail: string
  /** Stops the in-process emulator, if there is one. */
  readonly close: () => Promise<void>
}

// The identities `sn365 emulator` seeds and prints. Emulator test data, not real credentials.
const EMULATOR_IDENTITIES = {
  instance: "dev365",
  servicenowUser: "admin",
  servicenowPassword: "admin",
  tenant: "contoso.onmicrosoft.com",
  entraClientId: "5e7f1a2c-0365-4b6d-9e11-5a5e1d365001",
  entraClientSecret: "sn365~emulator.admin-secret.0000000000001",
  adminEmail: "admin@contoso.onmicrosoft.com",
}

// The real host names sn365 calls; the emulator answers for all of them on one port.
const VENDOR_HOSTS = [
  "*.service-now.com",
  "login.microsoftonline.com",
  "graph.microsoft.com",
  "admin.microsoft.com",
]

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback
  if (value === undefined || value === "") throw new Error(`Set the environment variable ${name}.`)
  return value
}

/** The identities from the environment, the emulator's seeded ones filling the gaps when given. */
const fromEnv = (defaults: Partial<typeof EMULATOR_IDENTITIES> = {}) => ({
  instance: env("SN365_INSTANCE", defaults.instance),
  servicenowUser: env("SN365_SERVICENOW_USERNAME", defaults.servicenowUser),
  servicenowPassword: env("SN365_SERVICENOW_PASSWORD", defaults.servicenowPassword),
  tenant: env("SN365_TENANT", defaults.tenant),
  entraClientId: env("SN365_ENTRA_CLIENT_ID", defaults.entraClientId),
  entraClientSecret: env("SN365_ENTRA_CLIENT_SECRET", defaults.entraClientSecret),
  adminEmail: env("SN365_ADMIN_EMAIL", defaults.adminEmail),
})

/** Connects to the target the environment names, starting an emulator in-process if it names none. */
export const connect = async (): Promise<Target> => {
  const emulatorUrl = process.env.SN365_EMULATOR_URL
  if (emulatorUrl !== undefined && emulatorUrl !== "") {
    const routes = Object.fromEntries(VENDOR_HOSTS.map((host) => [host, emulatorUrl]))
    return {
      kind: "emulator",
      fetch: routingFetch(routes),
      ...fromEnv(EMULATOR_IDENTITIES),
      close: async () => {},
    }
  }
  if (process.env.SN365_INSTANCE !== undefined) {
    return { kind: "real services", fetch: (request) => fetch(request), ...fromEnv(), close: async () => {} }
  }
  // The administrator account may use Basic authentication, as an administrator arranges before
  // running sn365 on a new instance (its Basic-auth gate refuses admins otherwise).
  const emulator = await startEmulator({ servicenow: { adminBasicAuthApiAccess: true } })
  const seeded = emulator.microsoft.defaults
  return {
    kind: "in-process emulator",
    fetch: emulator.fetch,
    ...EMULATOR_IDENTITIES,
    tenant: seeded.tenantDomain,
    entraClientId: seeded.adminApp.appId,
    entraClientSecret: seeded.adminApp.secret,
    adminEmail: seeded.adminUser,
    close: () => emulator.close(),
  }
}

/**
 * The setup configuration for a target (every field is described in the root README). Secrets are
 * plain strings here; `decodeConfig` turns them into `Redacted` values before anything else sees them.
 */
export const configFor = (target: Target): SetupConfigInput => ({
  variant: "basic",
  servicenow: {
    instance: target.instance,
    auth: { type: "basic", username: target.servicenowUser, password: target.servicenowPassword },
  },
  entra: {
    tenant: target.tenant,
    auth: { type: "clientSecret", clientId: target.entraClientId, clientSecret: target.entraClientSecret },
  },
  // The admin-center form never had a public API: only the emulator serves sn365's modeled one.
  // On real services an administrator fills the form by hand (see support/handoff.ts).
  microsoft365: {
    mode: (process.env.SN365_M365_MODE ?? (target.kind === "real services" ? "manual" : "api")) as
      | "api"
      | "manual",
  },
  integration: { m365AdminEmail: target.adminEmail, testEnvironment: true },
  roles: { insightsUsers: [], administrators: [] },
})
