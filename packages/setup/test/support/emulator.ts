import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, type EmulatorOptions, startEmulator } from "@sn365/emulator"
import { Effect } from "effect"
import { decodeConfig, type SetupConfig } from "../../src/Config.ts"
import type { SetupEvent } from "../../src/Events.ts"
import type { SetupOptions } from "../../src/Options.ts"
import { memorySecretStore, type SecretStore } from "../../src/Secrets.ts"
import { fileSecretStore } from "../../src/SecretsFile.ts"

/** The instance every setup test configures. */
export const INSTANCE = "dev365"

/** A config input for the seeded emulator, with optional overrides of top-level sections. */
export const configInput = (emulator: Emulator, overrides: Record<string, unknown> = {}) => {
  const { tenantDomain, adminApp, adminUser } = emulator.microsoft.defaults
  return {
    variant: "basic",
    servicenow: { instance: INSTANCE, auth: { type: "basic", username: "admin", password: "admin" } },
    entra: {
      tenant: tenantDomain,
      auth: { type: "clientSecret", clientId: adminApp.appId, clientSecret: adminApp.secret },
    },
    integration: { m365AdminEmail: adminUser },
    roles: { insightsUsers: ["itil"], administrators: ["admin"] },
    ...overrides,
  }
}

export const decoded = (input: unknown): Effect.Effect<SetupConfig> => decodeConfig(input).pipe(Effect.orDie)

/** Starts the emulator with the setup account allowed through the basic-auth gate. */
export const emulatorForSetup = (options: EmulatorOptions = {}) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      startEmulator({
        ...options,
        servicenow: { adminBasicAuthApiAccess: true, ...options.servicenow },
      }),
    ),
    (emulator) => Effect.promise(() => emulator.close()),
  )

/** Options wired to the emulator, a private secret store, no DNS, and an event log. */
export const optionsFor = (emulator: Emulator, extra: Partial<SetupOptions> = {}) => {
  const events: Array<SetupEvent> = []
  const options: SetupOptions = {
    fetch: emulator.fetch,
    secrets: memorySecretStore(),
    resolver: async () => [],
    onEvent: (event) => events.push(event),
    replicationBudgetMs: 20_000,
    ...extra,
  }
  return { options, events }
}

/** A file secret store whose path runs through a file: it can be neither read nor written. */
export const unusableSecretStore = (): Effect.Effect<SecretStore> =>
  Effect.promise(async () => {
    const file = join(await mkdtemp(join(tmpdir(), "sn365-store-")), "sn365.config.yaml")
    await writeFile(file, "variant: basic\n")
    return fileSecretStore(join(file, "secrets.json"))
  })
